//! What a phase costs in instructions, and in emulated atomic instructions
//! with the `atomic-emulation` feature (RISC-V only; nothing on Cortex-M,
//! whose QEMU models no cycle counter).
//!
//! The count is the `minstret` CSR. QEMU counts retired instructions
//! exactly only with `-icount shift=0` (the runners pass it); without it the
//! register follows the host's clock and the figures mean nothing.

/// A point in the run to measure from.
#[derive(Clone, Copy)]
pub struct Mark {
    #[cfg(target_arch = "riscv32")]
    instructions: u64,
    #[cfg(feature = "atomic-emulation")]
    emulated: u32,
}

impl Mark {
    /// Now.
    #[inline(always)]
    pub fn now() -> Self {
        Mark {
            #[cfg(target_arch = "riscv32")]
            instructions: riscv::register::minstret::read64(),
            #[cfg(feature = "atomic-emulation")]
            emulated: crate::atomic_emulation::emulated(),
        }
    }

    /// Prints what `phase` cost since this mark, as one `cost:` line.
    #[cfg_attr(not(target_arch = "riscv32"), allow(unused_variables))]
    pub fn report(self, phase: &str) {
        let end = Mark::now();
        #[cfg(all(target_arch = "riscv32", not(feature = "atomic-emulation")))]
        semihosting::println!(
            "cost: {phase}: {} instructions",
            end.instructions - self.instructions
        );
        #[cfg(feature = "atomic-emulation")]
        semihosting::println!(
            "cost: {phase}: {} instructions, {} emulated atomics",
            end.instructions - self.instructions,
            end.emulated - self.emulated
        );
    }
}
