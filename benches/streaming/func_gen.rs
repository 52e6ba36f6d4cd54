//! Function bodies for [`crate::module_gen`]: stack-neutral statements over
//! typed locals, with expressions nested to a bounded depth.

use wasm_encoder::{BlockType, Function, Ieee64, MemArg, MemArgTarget, ValType};

use crate::module_gen::{SIGNATURES, STACK_POINTER};
use crate::rng::Rng;

/// Emits one function body.
pub struct FuncGen<'a> {
    rng: &'a mut Rng,
    func: Function,
    i32s: Vec<u32>,
    i64s: Vec<u32>,
    f64s: Vec<u32>,
    callees: &'a [(u32, u32)],
    table_len: u32,
}

impl<'a> FuncGen<'a> {
    pub fn body(rng: &'a mut Rng, ty: u32, callees: &'a [(u32, u32)], table_len: u32) -> Function {
        let (params, results) = SIGNATURES[ty as usize];
        let extra = [
            (1 + rng.below(7), ValType::I32),
            (1 + rng.below(3), ValType::I64),
            (1 + rng.below(2), ValType::F64),
        ];
        let (mut i32s, mut i64s, mut f64s) = (Vec::new(), Vec::new(), Vec::new());
        let mut index = 0;
        let all = params.iter().map(|&t| (1, t)).chain(extra.iter().copied());
        for (count, t) in all {
            for _ in 0..count {
                match t {
                    ValType::I32 => i32s.push(index),
                    ValType::I64 => i64s.push(index),
                    _ => f64s.push(index),
                }
                index += 1;
            }
        }
        let mut emitter = FuncGen {
            rng,
            func: Function::new(extra.iter().copied()),
            i32s,
            i64s,
            f64s,
            callees,
            table_len,
        };
        emitter.emit(results);
        emitter.func
    }

    fn emit(&mut self, results: &[ValType]) {
        // The last declared i32 local holds the frame pointer.
        let frame = *self.i32s.last().expect("every function has an i32 local");
        let frame_size = 16 * (1 + self.rng.below(16)) as i32;
        let framed = self.rng.below(2) == 0;
        if framed {
            self.func
                .instructions()
                .global_get(STACK_POINTER)
                .i32_const(frame_size)
                .i32_sub()
                .local_tee(frame)
                .global_set(STACK_POINTER);
        }
        // Mostly small functions, a tail of large ones, as in real programs.
        let statements = match self.rng.below(100) {
            0..=59 => 1 + self.rng.below(5),
            60..=91 => 5 + self.rng.below(12),
            _ => 20 + self.rng.below(60),
        };
        for _ in 0..statements {
            self.statement(0);
        }
        if framed {
            self.func
                .instructions()
                .local_get(frame)
                .i32_const(frame_size)
                .i32_add()
                .global_set(STACK_POINTER);
        }
        for &result in results {
            self.expr(result, 1);
        }
        self.func.instructions().end();
    }

    /// A stack-neutral statement, nesting control flow up to depth 3.
    fn statement(&mut self, depth: u32) {
        let nested = depth < 3;
        match self.rng.below(100) {
            0..=24 => self.assign(),
            25..=39 => self.store(),
            40..=47 if nested => {
                self.expr(ValType::I32, 2);
                self.func.instructions().if_(BlockType::Empty);
                self.statements(depth + 1);
                if self.rng.below(2) == 0 {
                    self.func.instructions().else_();
                    self.statements(depth + 1);
                }
                self.func.instructions().end();
            }
            48..=55 if nested => {
                let counter = self.pick(ValType::I32);
                self.func
                    .instructions()
                    .block(BlockType::Empty)
                    .loop_(BlockType::Empty);
                self.statements(depth + 1);
                if self.rng.below(3) == 0 {
                    // An early exit, like a `break`.
                    self.expr(ValType::I32, 1);
                    self.func.instructions().br_if(1);
                }
                self.func
                    .instructions()
                    .local_get(counter)
                    .i32_const(1)
                    .i32_sub()
                    .local_tee(counter)
                    .br_if(0)
                    .end()
                    .end();
            }
            56..=61 if nested => {
                self.func.instructions().block(BlockType::Empty);
                self.statements(depth + 1);
                self.expr(ValType::I32, 1);
                self.func.instructions().br_if(0);
                self.statements(depth + 1);
                self.func.instructions().end();
            }
            62..=64 if nested => {
                let arms = 2 + self.rng.below(4);
                for _ in 0..arms {
                    self.func.instructions().block(BlockType::Empty);
                }
                self.expr(ValType::I32, 1);
                let targets: Vec<u32> = (0..arms * 2).map(|_| self.rng.below(arms)).collect();
                self.func.instructions().br_table(targets, arms - 1);
                for _ in 0..arms {
                    self.func.instructions().end();
                    self.statement(depth + 1);
                }
            }
            65..=81 => self.call(),
            82..=85 => self.call_indirect(),
            86..=88 => {
                for _ in 0..3 {
                    self.expr(ValType::I32, 1);
                }
                if self.rng.below(2) == 0 {
                    self.func.instructions().memory_copy(0, 0);
                } else {
                    self.func.instructions().memory_fill(0);
                }
            }
            _ => self.assign(),
        }
    }

    fn statements(&mut self, depth: u32) {
        for _ in 0..1 + self.rng.below(4) {
            self.statement(depth);
        }
    }

    fn assign(&mut self) {
        let ty = self.pick_type();
        self.expr(ty, 2);
        let local = self.pick(ty);
        self.func.instructions().local_set(local);
    }

    fn store(&mut self) {
        let arg = self.memarg();
        self.address();
        match self.rng.below(5) {
            0 | 1 => {
                self.expr(ValType::I32, 1);
                self.func.instructions().i32_store(arg);
            }
            2 => {
                self.expr(ValType::I64, 1);
                self.func
                    .instructions()
                    .i64_store(MemArg { align: 3, ..arg });
            }
            3 => {
                self.expr(ValType::F64, 1);
                self.func
                    .instructions()
                    .f64_store(MemArg { align: 3, ..arg });
            }
            _ => {
                self.expr(ValType::I32, 1);
                self.func
                    .instructions()
                    .i32_store8(MemArg { align: 0, ..arg });
            }
        }
    }

    fn call(&mut self) {
        // Mostly nearby functions, as a compiler lays out a call tree.
        let n = self.callees.len() as u32;
        let pick = if self.rng.below(4) == 0 {
            self.rng.below(n)
        } else {
            n - 1 - self.rng.below(n.min(64))
        };
        let (index, ty) = self.callees[pick as usize];
        self.args(ty);
        self.func.instructions().call(index);
        self.take_results(ty);
    }

    fn call_indirect(&mut self) {
        let ty = self.rng.below(SIGNATURES.len() as u32);
        self.args(ty);
        let slot = 1 + self.rng.below(self.table_len) as i32;
        self.func
            .instructions()
            .i32_const(slot)
            .call_indirect(0, ty);
        self.take_results(ty);
    }

    fn args(&mut self, ty: u32) {
        for &param in SIGNATURES[ty as usize].0 {
            self.expr(param, 1);
        }
    }

    fn take_results(&mut self, ty: u32) {
        for &result in SIGNATURES[ty as usize].1.iter().rev() {
            if self.rng.below(4) == 0 {
                self.func.instructions().drop();
            } else {
                let local = self.pick(result);
                self.func.instructions().local_set(local);
            }
        }
    }

    /// Pushes one value of type `ty`; `depth` bounds the operator nesting.
    fn expr(&mut self, ty: ValType, depth: u32) {
        let roll = if depth == 0 {
            self.rng.below(10)
        } else {
            self.rng.below(100)
        };
        match ty {
            ValType::I32 => self.expr_i32(roll, depth),
            ValType::I64 => self.expr_i64(roll, depth),
            _ => self.expr_f64(roll, depth),
        }
    }

    fn expr_i32(&mut self, roll: u32, depth: u32) {
        let d = depth.saturating_sub(1);
        match roll {
            0..=6 => {
                let local = self.pick(ValType::I32);
                self.func.instructions().local_get(local);
            }
            7..=9 => {
                let value = self.small_const();
                self.func.instructions().i32_const(value);
            }
            10..=39 => {
                self.expr(ValType::I32, d);
                self.expr(ValType::I32, d);
                let mut sink = self.func.instructions();
                match roll % 10 {
                    0 => sink.i32_add(),
                    1 => sink.i32_sub(),
                    2 => sink.i32_mul(),
                    3 => sink.i32_and(),
                    4 => sink.i32_or(),
                    5 => sink.i32_xor(),
                    6 => sink.i32_shl(),
                    7 => sink.i32_shr_u(),
                    8 => sink.i32_lt_u(),
                    _ => sink.i32_ne(),
                };
            }
            40..=59 => {
                let arg = self.memarg();
                self.address();
                if roll < 52 {
                    self.func.instructions().i32_load(arg);
                } else {
                    self.func
                        .instructions()
                        .i32_load8_u(MemArg { align: 0, ..arg });
                }
            }
            60..=67 => {
                self.expr(ValType::I32, d);
                self.func.instructions().i32_eqz();
            }
            68..=73 => {
                self.expr(ValType::I64, d);
                self.func.instructions().i32_wrap_i64();
            }
            74..=79 => {
                self.expr(ValType::I64, d);
                self.expr(ValType::I64, d);
                self.func.instructions().i64_lt_s();
            }
            80..=84 => {
                self.expr(ValType::F64, d);
                self.expr(ValType::F64, d);
                self.func.instructions().f64_lt();
            }
            85..=89 => {
                self.expr(ValType::F64, d);
                self.func.instructions().i32_trunc_sat_f64_s();
            }
            _ => {
                self.expr(ValType::I32, d);
                self.expr(ValType::I32, d);
                self.expr(ValType::I32, d);
                self.func.instructions().select();
            }
        }
    }

    fn expr_i64(&mut self, roll: u32, depth: u32) {
        let d = depth.saturating_sub(1);
        match roll {
            0..=6 => {
                let local = self.pick(ValType::I64);
                self.func.instructions().local_get(local);
            }
            7..=9 => {
                let value = self.rng.next() as i64 >> self.rng.below(60);
                self.func.instructions().i64_const(value);
            }
            10..=49 => {
                self.expr(ValType::I64, d);
                self.expr(ValType::I64, d);
                let mut sink = self.func.instructions();
                match roll % 8 {
                    0 => sink.i64_add(),
                    1 => sink.i64_sub(),
                    2 => sink.i64_mul(),
                    3 => sink.i64_xor(),
                    4 => sink.i64_or(),
                    5 => sink.i64_shl(),
                    6 => sink.i64_shr_u(),
                    _ => sink.i64_rotl(),
                };
            }
            50..=69 => {
                let arg = self.memarg();
                self.address();
                self.func
                    .instructions()
                    .i64_load(MemArg { align: 3, ..arg });
            }
            70..=84 => {
                self.expr(ValType::I32, d);
                if roll < 78 {
                    self.func.instructions().i64_extend_i32_u();
                } else {
                    self.func.instructions().i64_extend_i32_s();
                }
            }
            _ => {
                self.expr(ValType::F64, d);
                self.func.instructions().i64_trunc_sat_f64_s();
            }
        }
    }

    fn expr_f64(&mut self, roll: u32, depth: u32) {
        let d = depth.saturating_sub(1);
        match roll {
            0..=6 => {
                let local = self.pick(ValType::F64);
                self.func.instructions().local_get(local);
            }
            7..=9 => {
                let value = f64::from(self.rng.below(1 << 20)) / 64.0;
                self.func.instructions().f64_const(Ieee64::from(value));
            }
            10..=49 => {
                self.expr(ValType::F64, d);
                self.expr(ValType::F64, d);
                let mut sink = self.func.instructions();
                match roll % 6 {
                    0 => sink.f64_add(),
                    1 => sink.f64_sub(),
                    2 => sink.f64_mul(),
                    3 => sink.f64_div(),
                    4 => sink.f64_min(),
                    _ => sink.f64_max(),
                };
            }
            50..=64 => {
                self.expr(ValType::F64, d);
                let mut sink = self.func.instructions();
                match roll % 4 {
                    0 => sink.f64_sqrt(),
                    1 => sink.f64_abs(),
                    2 => sink.f64_neg(),
                    _ => sink.f64_floor(),
                };
            }
            65..=79 => {
                let arg = self.memarg();
                self.address();
                self.func
                    .instructions()
                    .f64_load(MemArg { align: 3, ..arg });
            }
            _ => {
                if roll < 90 {
                    self.expr(ValType::I64, d);
                    self.func.instructions().f64_convert_i64_s();
                } else {
                    self.expr(ValType::I32, d);
                    self.func.instructions().f64_convert_i32_u();
                }
            }
        }
    }

    /// A base pointer: a local, as after rustc's frame setup.
    fn address(&mut self) {
        let base = self.pick(ValType::I32);
        self.func.instructions().local_get(base);
    }

    fn memarg(&mut self) -> MemArg {
        MemArg {
            offset: u64::from(4 * self.rng.below(64)),
            align: 2,
            target: MemArgTarget::Memory(0),
            ordering: None,
        }
    }

    fn small_const(&mut self) -> i32 {
        match self.rng.below(4) {
            0 => self.rng.next() as i32,
            _ => self.rng.below(256) as i32 - 16,
        }
    }

    fn pick_type(&mut self) -> ValType {
        match self.rng.below(10) {
            0..=5 => ValType::I32,
            6..=7 => ValType::I64,
            _ => ValType::F64,
        }
    }

    fn pick(&mut self, ty: ValType) -> u32 {
        let locals = match ty {
            ValType::I32 => &self.i32s,
            ValType::I64 => &self.i64s,
            _ => &self.f64s,
        };
        locals[self.rng.below(locals.len() as u32) as usize]
    }
}
