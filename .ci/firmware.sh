#!/usr/bin/env bash
# Firmware proof: builds examples/firmware for Cortex-M4F and RV32IMAC, runs
# each image under QEMU, checks what it prints and its exit status, and
# reports flash and RAM. Fails on a wrong result, a fault, a timeout, or when
# wasmstream costs more flash than its budget over bare wasmi.
#
# Usage: .ci/firmware.sh            (from anywhere; installs what it needs)
set -euo pipefail
cd "$(dirname "$0")/../examples/firmware"

# What wasmstream may add to a firmware's flash over bare wasmi
# (`Module::new` + `Linker`), per target: the 24 KiB goal on Cortex-M;
# RV32IMAC code is about a third larger for the same Rust (see docs/embedded.md).
declare -A FLASH_BUDGET_BYTES=(
    [thumbv7em-none-eabihf]=$((24 * 1024))
    [riscv32imac-unknown-none-elf]=$((32 * 1024))
)
# A run takes well under a second in QEMU; a hang (a fault loop, a guest
# that never returns) ends here.
RUN_TIMEOUT_SECONDS=120
TARGETS=(thumbv7em-none-eabihf riscv32imac-unknown-none-elf)

step() { printf '\n==> %s\n' "$*"; }

step "targets and QEMU"
rustup target add "${TARGETS[@]}"
if ! command -v qemu-system-arm >/dev/null || ! command -v qemu-system-riscv32 >/dev/null \
    || ! command -v size >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        qemu-system-arm qemu-system-misc binutils >/dev/null
fi
qemu-system-arm --version | head -n 1
qemu-system-riscv32 --version | head -n 1

# Bytes of the named output sections of an ELF image, summed.
section_bytes() {
    local elf=$1
    shift
    size -A "$elf" | awk -v names=" $* " \
        'index(names, " " $1 " ") { total += $2 } END { print total + 0 }'
}

# Flash: what the image stores (code, constants, .data's initial values).
FLASH_SECTIONS=".vector_table .text .init.rust .rodata .data"
# RAM reserved at link time (the heap is a static in .bss; the stack is the rest).
RAM_SECTIONS=".data .bss .uninit"

declare -A FLASH
SUMMARY=()
passed=0
failed=0

# build_and_run TARGET VARIANT: VARIANT is "streaming" or "baseline".
build_and_run() {
    local target=$1 variant=$2
    local features=()
    [[ $variant == baseline ]] && features=(--features baseline)
    step "$target, $variant: build and run in QEMU"
    cargo build --release --target "$target" "${features[@]}"
    local elf="target/$target/release/wasmstream-firmware"
    local log
    log=$(mktemp)
    local status=0
    timeout "$RUN_TIMEOUT_SECONDS" \
        cargo run --quiet --release --target "$target" "${features[@]}" \
        </dev/null >"$log" 2>&1 || status=$?
    cat "$log"
    local problem=""
    if [[ $status -eq 124 ]]; then
        problem="timed out after ${RUN_TIMEOUT_SECONDS}s"
    elif [[ $status -ne 0 ]]; then
        problem="exit status $status"
    elif ! grep -qx 'PASS' "$log"; then
        problem="no PASS line"
    elif ! grep -q '^crc32("123456789") = 0xcbf43926 ' "$log"; then
        problem="wrong CRC-32 check value"
    elif ! grep -q '^guest log: crc32 table built$' "$log"; then
        problem="the guest's log call did not arrive"
    elif ! grep -q '^link error (expected): ' "$log"; then
        problem="no link error reported"
    elif [[ $variant == streaming ]] &&
        ! grep -q '^link error (expected): link error: import #0 "env" "log": ' "$log"; then
        problem="the link error does not name the import"
    fi
    rm -f "$log"
    if [[ -n $problem ]]; then
        echo "FIRMWARE FAILED: $target $variant: $problem"
        failed=$((failed + 1))
        SUMMARY+=("$target $variant: FAILED ($problem)")
        return
    fi
    local flash ram
    flash=$(section_bytes "$elf" $FLASH_SECTIONS)
    ram=$(section_bytes "$elf" $RAM_SECTIONS)
    FLASH[$target/$variant]=$flash
    size -A "$elf" | grep -E '^(\.vector_table|\.text|\.init\.rust|\.rodata|\.data|\.bss|\.uninit) '
    passed=$((passed + 1))
    SUMMARY+=("$target $variant: passed; flash $flash bytes, static RAM $ram bytes")
}

for target in "${TARGETS[@]}"; do
    build_and_run "$target" streaming
    build_and_run "$target" baseline
done

step "summary"
printf '%s\n' "${SUMMARY[@]}"
for target in "${TARGETS[@]}"; do
    streaming=${FLASH[$target/streaming]:-}
    baseline=${FLASH[$target/baseline]:-}
    [[ -n $streaming && -n $baseline ]] || continue
    cost=$((streaming - baseline))
    budget=${FLASH_BUDGET_BYTES[$target]}
    echo "$target: wasmstream costs $cost bytes of flash over bare wasmi (budget $budget)"
    if ((cost > budget)); then
        echo "FIRMWARE FAILED: $target: flash cost $cost > budget $budget"
        failed=$((failed + 1))
    fi
done

echo "firmware: $passed passed, $failed failed"
((failed == 0))
