//! Atomic instructions on a RISC-V core without the A extension (RV32IMC,
//! e.g. ESP32-C3).
//!
//! wasmi needs `alloc::sync::Arc`, which a target without atomics lacks, so
//! the image is built for `riscv32imac-unknown-none-elf`. On an RV32IMC core
//! each atomic instruction then raises an illegal-instruction exception, and
//! this trap entry carries it out with `riscv-atomic-emulation-trap`.
//!
//! riscv-rt's own trap entry saves only the caller-saved registers, but an
//! atomic instruction may name any register, so this entry (riscv-rt's
//! `pre-default-start-trap` hook, run before riscv-rt's entry) saves all 32
//! into a frame indexed by register number, lets the crate emulate the
//! instruction on that frame, restores every register and returns past the
//! instruction. Any other trap goes on to riscv-rt's handling unchanged.
//!
//! Sound only on a single hart with interrupts off around the emulated
//! instruction (the firmware never enables them): the emulation is a plain
//! load and store, and an `lr`/`sc` pair is paired by address only.

use core::sync::atomic::{AtomicU32, Ordering};

use riscv::register::{mcause, mepc};
use riscv_atomic_emulation_trap::{PLATFORM_REGISTER_LEN, atomic_emulation};

/// `mcause` exception code of an illegal instruction.
const ILLEGAL_INSTRUCTION: usize = 2;
/// Every atomic instruction is 32 bits wide (there are no compressed ones).
const ATOMIC_INSTRUCTION_BYTES: usize = 4;

/// Atomic instructions emulated since reset. Read and written with plain
/// loads and stores only: a read-modify-write here would itself trap.
static EMULATED: AtomicU32 = AtomicU32::new(0);

/// How many atomic instructions were emulated since reset.
pub fn emulated() -> u32 {
    EMULATED.load(Ordering::Relaxed)
}

/// Called by the trap entry with every register saved (`frame[n]` is `xn`).
/// Returns whether the trap was an atomic instruction, now carried out.
extern "C" fn emulate(frame: &mut [usize; PLATFORM_REGISTER_LEN]) -> bool {
    let cause = mcause::read();
    if cause.is_interrupt() || cause.code() != ILLEGAL_INSTRUCTION {
        return false;
    }
    let pc = mepc::read();
    // SAFETY: called from the trap entry right after the exception: `pc` is
    // the faulting instruction and `frame` holds every register at that point.
    if !unsafe { atomic_emulation(pc, frame) } {
        return false;
    }
    // SAFETY: the instruction at `pc` was carried out; resume after it.
    unsafe { mepc::write(pc + ATOMIC_INSTRUCTION_BYTES) };
    EMULATED.store(emulated().wrapping_add(1), Ordering::Relaxed);
    true
}

// The frame is 32 words on the stack: x0 is stored as 0 (an instruction may
// read it), x2 as the stack pointer before the trap.
core::arch::global_asm!(
    r#"
    .section .trap.start, "ax"
    .balign 4
    .global _pre_default_start_trap
_pre_default_start_trap:
    addi sp, sp, -128
    sw zero, 0(sp)
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sw x\n, \n*4(sp)
    .endr
    addi t0, sp, 128
    sw t0, 8(sp)
    mv a0, sp
    call {emulate}
    bnez a0, 1f
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    lw x\n, \n*4(sp)
    .endr
    addi sp, sp, 128
    j _pre_default_start_trap_ret
1:
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    lw x\n, \n*4(sp)
    .endr
    lw sp, 8(sp)
    mret
"#,
    emulate = sym emulate,
);
