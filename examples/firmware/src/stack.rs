//! Peak native stack by painting: fill the unused stack with a pattern, run,
//! then find the deepest word that no longer holds it.

use core::ptr;

const PAINT: u32 = 0x5AFE_C0DE;
/// Bytes below the painting function's own stack pointer left unpainted, so
/// painting never writes into a live frame.
const GUARD_BYTES: usize = 64;

unsafe extern "C" {
    /// Top of the stack (highest address), from the runtime's `link.x`.
    static _stack_start: u8;
}

#[cfg(target_arch = "arm")]
unsafe extern "C" {
    /// Bottom of the stack region (cortex-m-rt).
    static _stack_end: u8;
}

#[cfg(target_arch = "riscv32")]
unsafe extern "C" {
    /// Bottom of the stack region (riscv-rt).
    static __estack: u8;
}

fn top() -> usize {
    &raw const _stack_start as usize
}

fn bottom() -> usize {
    #[cfg(target_arch = "arm")]
    let bottom = &raw const _stack_end as usize;
    #[cfg(target_arch = "riscv32")]
    let bottom = &raw const __estack as usize;
    (bottom + 3) & !3
}

/// Bytes between the top and the bottom of the stack region.
pub fn capacity() -> usize {
    top() - bottom()
}

#[inline(always)]
fn stack_pointer() -> usize {
    let sp: usize;
    // SAFETY: reads a register, touches no memory.
    unsafe {
        #[cfg(target_arch = "arm")]
        core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags));
        #[cfg(target_arch = "riscv32")]
        core::arch::asm!("mv {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags));
    }
    sp
}

/// Paints every unused stack word, so the next [`peak`] measures from here;
/// returns how deep the stack is at the call, in bytes from its top.
#[inline(never)]
pub fn paint() -> usize {
    let sp = stack_pointer();
    let end = (sp - GUARD_BYTES) & !3;
    let mut word = bottom();
    while word < end {
        // SAFETY: [bottom, sp - guard) is the unused part of the stack
        // region: no live frame, no Rust object lives there.
        unsafe { ptr::write_volatile(word as *mut u32, PAINT) };
        word += 4;
    }
    top() - sp
}

/// The deepest the stack has been since [`paint`], in bytes from its top.
pub fn peak() -> usize {
    let mut word = bottom();
    // SAFETY: reads words of the stack region below the live frames' lowest
    // point or inside it; both are mapped RAM.
    while word < top() && unsafe { ptr::read_volatile(word as *const u32) } == PAINT {
        word += 4;
    }
    top() - word
}
