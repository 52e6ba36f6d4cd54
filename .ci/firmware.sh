#!/usr/bin/env bash
# Firmware proof: builds examples/firmware for Cortex-M4F, Cortex-M33,
# RV32IMAC and RV32IMC (an RV32IMAC image with atomic emulation, run on a core
# without the A extension), runs each image under QEMU, checks what it prints
# and its exit status, and reports flash and RAM. Fails on a wrong result, a
# fault, a timeout, or when wasmstream costs more flash than its budget over
# bare wasmi.
#
# Usage: .ci/firmware.sh            (from anywhere; installs what it needs)
set -euo pipefail
cd "$(dirname "$0")/../examples/firmware"

# The four firmware targets: NAME -> "rust-target [cargo features]".
declare -A BUILD=(
    [cortex-m4f]="thumbv7em-none-eabihf"
    [cortex-m33]="thumbv8m.main-none-eabihf"
    [rv32imac]="riscv32imac-unknown-none-elf"
    [rv32imc]="riscv32imac-unknown-none-elf atomic-emulation"
)
NAMES=(cortex-m4f cortex-m33 rv32imac rv32imc)

# The QEMU command lines (the same as examples/firmware/.cargo/config.toml's
# runners). RISC-V runs count instructions exactly (-icount shift=0).
SEMIHOSTING="-nographic -semihosting-config enable=on,target=native -kernel"
QEMU_M4F="qemu-system-arm -cpu cortex-m4 -machine mps2-an386 $SEMIHOSTING"
QEMU_M33="qemu-system-arm -cpu cortex-m33 -machine mps2-an505 $SEMIHOSTING"
QEMU_RV="qemu-system-riscv32 -machine virt -cpu rv32 -icount shift=0 -bios none $SEMIHOSTING"
# The same core without the A extension: atomic instructions are illegal.
QEMU_RV_NO_A="qemu-system-riscv32 -machine virt -cpu rv32,a=off -icount shift=0 -bios none $SEMIHOSTING"
declare -A QEMU=(
    [cortex-m4f]=$QEMU_M4F
    [cortex-m33]=$QEMU_M33
    [rv32imac]=$QEMU_RV
    [rv32imc]=$QEMU_RV_NO_A
)
# What the firmware must report about the core it ran on.
declare -A CORE_LINE=(
    [cortex-m4f]='^cpuid: 0x410fc24[0-9a-f] \(Cortex-M4\)$'
    [cortex-m33]='^cpuid: 0x410fd21[0-9a-f] \(Cortex-M33\)$'
    [rv32imac]='^misa: RV32[A-Z]*A[A-Z]*; atomic instructions run natively$'
    [rv32imc]='^misa: RV32[B-Z]*; no A extension: atomic instructions are emulated$'
)

# What wasmstream may add to a firmware's flash over bare wasmi with its
# `validate` feature (`Module::new` + `Linker`): nothing. wasmstream leaves
# wasmi's validator out (it validates with its own wasmparser), which pays
# for the streaming compiler, the import object and the JS error messages
# (see docs/embedded.md).
declare -A FLASH_BUDGET_BYTES=(
    [cortex-m4f]=0
    [cortex-m33]=0
    [rv32imac]=0
    [rv32imc]=0
)
# A run takes well under a second in QEMU; a hang (a fault loop, a guest
# that never returns) ends here.
RUN_TIMEOUT_SECONDS=120

step() { printf '\n==> %s\n' "$*"; }

started=$SECONDS
step "targets and QEMU"
rustup target add thumbv7em-none-eabihf thumbv8m.main-none-eabihf riscv32imac-unknown-none-elf
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

IMAGES=target/firmware-images
LOGS=target/firmware-logs
mkdir -p "$IMAGES" "$LOGS"
declare -A FLASH
SUMMARY=()
passed=0
failed=0

fail() {
    echo "FIRMWARE FAILED: $1: $2"
    failed=$((failed + 1))
    SUMMARY+=("$1: FAILED ($2)")
}

# build NAME VARIANT: builds the image into $IMAGES/NAME-VARIANT.elf. VARIANT
# is "streaming" or "baseline" (the `baseline` feature: bare wasmi).
build() {
    local name=$1 variant=$2
    local target features
    read -r target features <<<"${BUILD[$name]}"
    [[ $variant == baseline ]] && features="${features:+$features,}baseline"
    step "$name $variant: build ($target${features:+, features $features})"
    cargo build --release --target "$target" ${features:+--features "$features"}
    cp "target/$target/release/wasmstream-firmware" "$IMAGES/$name-$variant.elf"
}

# run LABEL ELF QEMU-COMMAND: runs the image, leaves its output in
# $LOGS/LABEL.log and its exit status in $status.
run() {
    local label=$1 elf=$2 qemu=$3
    step "$label: run ($qemu $elf)"
    status=0
    timeout "$RUN_TIMEOUT_SECONDS" $qemu "$elf" </dev/null >"$LOGS/$label.log" 2>&1 || status=$?
    cat "$LOGS/$label.log"
}

# check LABEL VARIANT CORE-LINE: what a passing run must have printed.
check() {
    local label=$1 variant=$2 core_line=$3
    local log="$LOGS/$label.log"
    if [[ $status -eq 124 ]]; then
        echo "timed out after ${RUN_TIMEOUT_SECONDS}s"
    elif [[ $status -ne 0 ]]; then
        echo "exit status $status"
    elif ! grep -qx 'PASS' "$log"; then
        echo "no PASS line"
    elif ! grep -qE "$core_line" "$log"; then
        echo "the core's report does not match $core_line"
    elif ! grep -q '^crc32("123456789") = 0xcbf43926 ' "$log"; then
        echo "wrong CRC-32 check value"
    elif ! grep -q '^guest log: crc32 table built$' "$log"; then
        echo "the guest's log call did not arrive"
    elif ! grep -q '^link error (expected): ' "$log"; then
        echo "no link error reported"
    elif [[ $variant == streaming ]] &&
        ! grep -q '^link error (expected): link error: import #0 "env" "log": ' "$log"; then
        echo "the link error does not name the import"
    fi
}

# Emulated atomics since reset, from a run's log (empty without the line).
emulated_total() { sed -n 's/^emulated atomics: \([0-9]*\) since reset$/\1/p' "$LOGS/$1.log"; }

for name in "${NAMES[@]}"; do
    for variant in streaming baseline; do
        build "$name" "$variant"
        elf="$IMAGES/$name-$variant.elf"
        run "$name-$variant" "$elf" "${QEMU[$name]}"
        problem=$(check "$name-$variant" "$variant" "${CORE_LINE[$name]}")
        if [[ -z $problem && $name == rv32imc ]]; then
            emulated=$(emulated_total "$name-$variant")
            ((${emulated:-0} > 0)) || problem="no atomic instruction was emulated"
        fi
        if [[ -n $problem ]]; then
            fail "$name $variant" "$problem"
            continue
        fi
        flash=$(section_bytes "$elf" $FLASH_SECTIONS)
        ram=$(section_bytes "$elf" $RAM_SECTIONS)
        FLASH[$name/$variant]=$flash
        size -A "$elf" | grep -E '^(\.vector_table|\.text|\.init\.rust|\.rodata|\.data|\.bss|\.uninit) '
        passed=$((passed + 1))
        SUMMARY+=("$name $variant: passed; flash $flash bytes, static RAM $ram bytes")
    done
done

# The proof that QEMU's `-cpu rv32,a=off` makes atomic instructions illegal:
# the RV32IMAC image, which has no emulation, must stop at its first one
# with an illegal-instruction exception (mcause 2).
run rv32imac-without-a "$IMAGES/rv32imac-streaming.elf" "$QEMU_RV_NO_A"
if [[ $status -eq 2 ]] && grep -q '^FAIL: exception 2 at pc ' "$LOGS/rv32imac-without-a.log"; then
    passed=$((passed + 1))
    SUMMARY+=("rv32imac streaming on a core without A: stops at the first atomic instruction, as it must")
else
    fail "rv32imac streaming on a core without A" "expected an illegal-instruction exception, got status $status"
fi

# The RV32IMC images again on the same core with the A extension on: no
# instruction may be emulated, and the instruction counts give the slowdown.
for variant in streaming baseline; do
    run "rv32imc-$variant-with-a" "$IMAGES/rv32imc-$variant.elf" "$QEMU_RV"
    problem=$(check "rv32imc-$variant-with-a" "$variant" "${CORE_LINE[rv32imac]}")
    [[ -n $problem || $(emulated_total "rv32imc-$variant-with-a") == 0 ]] ||
        problem="atomics were emulated on a core that has them"
    if [[ -n $problem ]]; then
        fail "rv32imc $variant with A" "$problem"
    else
        passed=$((passed + 1))
        SUMMARY+=("rv32imc $variant on a core with A: passed, nothing emulated")
    fi
done

step "atomic emulation: instructions without A against with A (QEMU -icount shift=0)"
for variant in streaming baseline; do
    without="$LOGS/rv32imc-$variant.log" with="$LOGS/rv32imc-$variant-with-a.log"
    [[ -f $without && -f $with ]] || continue
    echo "rv32imc $variant:"
    # cost: PHASE: N instructions, M emulated atomics
    paste -d '\n' <(grep '^cost: ' "$without") <(grep '^cost: ' "$with") | awk '
        NR % 2 == 1 { phase = $0; sub(/^cost: /, "", phase); sub(/: [0-9]+ instructions.*/, "", phase)
                      n = split($0, f, " "); without = f[n - 4]; atomics = f[n - 2] }
        NR % 2 == 0 { n = split($0, f, " "); with = f[n - 4]
                      each = atomics ? sprintf("%d", (without - with) / atomics) : "-"
                      printf "  %-52s %4d emulated atomics %9d instructions %9d with A  +%.2f%%  (%s per atomic)\n",
                             phase, atomics, without, with, 100 * (without - with) / with, each }'
done

step "summary"
printf '%s\n' "${SUMMARY[@]}"
for name in "${NAMES[@]}"; do
    streaming=${FLASH[$name/streaming]:-}
    baseline=${FLASH[$name/baseline]:-}
    [[ -n $streaming && -n $baseline ]] || continue
    cost=$((streaming - baseline))
    budget=${FLASH_BUDGET_BYTES[$name]}
    echo "$name: wasmstream costs $cost bytes of flash over bare wasmi (budget $budget)"
    if ((cost > budget)); then
        fail "$name" "flash cost $cost > budget $budget"
    fi
done
if [[ -n ${FLASH[rv32imc/streaming]:-} && -n ${FLASH[rv32imac/streaming]:-} ]]; then
    echo "rv32imc: the atomic emulation costs $((FLASH[rv32imc/streaming] - FLASH[rv32imac/streaming])) bytes of flash"
fi

echo "firmware.sh took $((SECONDS - started)) s"
echo "firmware: $passed passed, $failed failed"
((failed == 0))
