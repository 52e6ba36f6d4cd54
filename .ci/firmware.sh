#!/usr/bin/env bash
# Firmware proof: builds examples/firmware for Cortex-M4F, Cortex-M33,
# RV32IMAC and RV32IMC (an RV32IMAC image with atomic emulation, run on a core
# without the A extension), runs each image under QEMU, checks what it prints
# and its exit status (including the big guest's signature verified and a
# tampered one refused), and reports flash and RAM. Fails on a wrong result, a
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
# Semihosting carries the output and the exit status; the UART (serial0) is
# QEMU's stdin, from which the firmware receives its big guest; the
# machine's 16 MiB RAM is backed by a host file (`run` adds it), in which the
# firmware's flash region survives from one QEMU run to the next.
SEMIHOSTING="-display none -monitor none -serial stdio -m 16M -semihosting-config enable=on,target=native -kernel"
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
# `validate` feature (`Module::new` + `Linker`). wasmstream leaves wasmi's
# validator out (it validates with its own wasmparser), which pays for most
# of the streaming compiler, the import object and the JS error messages
# (without the installer: 0.6 KB smaller on Cortex-M4F, 10.7 KB smaller on
# RV32IMAC; docs/embedded.md). The streaming build also carries the
# flash installer (FlashStaging, SHA-256, load_installed, the NOR driver)
# and, by default, the Ed25519 signature check of the big guest (wasmstream's
# `signature`: salty, the refusal of a tampered signature), neither of which
# bare wasmi has a counterpart for; that is what these budgets allow
# (measured 31,380 bytes on Cortex-M4F, 31,120 on Cortex-M33, 31,196 on
# RV32IMAC, 31,208 on RV32IMC, of which about 1.4 KB is the drivers' body
# room that makes 1-byte reads as cheap as large ones; see docs/embedded.md).
declare -A FLASH_BUDGET_BYTES=(
    [cortex-m4f]=$((33 * 1024))
    [cortex-m33]=$((33 * 1024))
    [rv32imac]=$((33 * 1024))
    [rv32imc]=$((33 * 1024))
)
# The same streaming firmware without the signature check
# (`--no-default-features`), built and run on these targets: what the check
# alone costs (measured 15,164 bytes on Cortex-M4F, 21,592 on RV32IMAC), and
# what wasmstream with the installer but no signature costs over bare wasmi
# (measured 16,216 and 9,604).
NO_SIGNATURE_NAMES=(cortex-m4f rv32imac)
declare -A SIGNATURE_BUDGET_BYTES=(
    [cortex-m4f]=$((16 * 1024))
    [rv32imac]=$((23 * 1024))
)
declare -A NO_SIGNATURE_BUDGET_BYTES=(
    [cortex-m4f]=$((18 * 1024))
    [rv32imac]=$((11 * 1024))
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
FLASH=target/firmware-flash
mkdir -p "$IMAGES" "$LOGS" "$FLASH"
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
# is "streaming", "baseline" (the `baseline` feature: bare wasmi) or
# "no-signature" (streaming without the default `signature` feature).
build() {
    local name=$1 variant=$2
    local target features defaults=""
    read -r target features <<<"${BUILD[$name]}"
    [[ $variant == baseline ]] && features="${features:+$features,}baseline"
    [[ $variant == no-signature ]] && defaults=--no-default-features
    step "$name $variant: build ($target${features:+, features $features}${defaults:+, $defaults})"
    cargo build --release --target "$target" $defaults ${features:+--features "$features"}
    cp "target/$target/release/wasmstream-firmware" "$IMAGES/$name-$variant.elf"
    # The big guest as the host sends it over the UART (length, then module),
    # generated by build.rs; every build generates the same bytes.
    cp "$(ls -t target/"$target"/release/build/wasmstream-firmware-*/out/kernels.uart | head -n 1)" \
        "$IMAGES/kernels.uart"
}

# run LABEL ELF QEMU-COMMAND [UART-INPUT [FLASH-FILE]]: runs the image with
# UART-INPUT (default: nothing) on its UART and its RAM backed by FLASH-FILE
# (default: a fresh $FLASH/LABEL.bin, all zero: an empty flash), leaves its
# output in $LOGS/LABEL.log and its exit status in $status.
run() {
    local label=$1 elf=$2 qemu=$3 input=${4:-/dev/null} flash=${5:-}
    if [[ -z $flash ]]; then
        flash="$FLASH/$label.bin"
        rm -f "$flash"
    fi
    local memory="-object memory-backend-file,id=ram,size=16M,mem-path=$flash,share=on -machine memory-backend=ram"
    step "$label: run ($qemu $elf $memory <$input)"
    status=0
    timeout "$RUN_TIMEOUT_SECONDS" $qemu "$elf" $memory <"$input" >"$LOGS/$label.log" 2>&1 || status=$?
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
    elif [[ $variant != baseline ]] &&
        ! grep -q '^link error (expected): link error: import #0 "env" "log": ' "$log"; then
        echo "the link error does not name the import"
    elif [[ $how == "$INSTALLED" && $variant == streaming ]] && ! grep -qE "$SIGNATURE_REFUSED" "$log"; then
        echo "the tampered signature was not refused with a BadSignature naming the key and digest"
    elif [[ $how == "$INSTALLED" && $variant == streaming ]] &&
        ! grep -qx 'signature: nothing installed after the refusal' "$log"; then
        echo "no proof that the refused module was not installed"
    elif [[ $how == "$INSTALLED" && $variant == streaming ]] && ! grep -qx "$SIGNATURE_VERIFIED" "$log"; then
        echo "the big guest's signature was not verified"
    elif [[ $variant != streaming ]] && grep -q '^signature: ' "$log"; then
        echo "a $variant build checked a signature"
    elif ! grep -q '^kernels: [0-9]* of [0-9]* checked against build.rs$' "$log"; then
        echo "the big guest's answers were not checked"
    elif [[ -n $how ]] && ! grep -q "^big guest: $how; " "$log"; then
        echo "the big guest was not: $how"
    fi
}

# The base64 SHA-256 of a UART frame's module (after its 4 length bytes).
sri_digest() {
    local hex
    hex=$(tail -c +5 "$1" | sha256sum | cut -d' ' -f1)
    # shellcheck disable=SC2059 # the format is the digest as \xNN escapes
    printf "$(sed 's/../\\x&/g' <<<"$hex")" | base64
}

# The big guest's heap peak, from a run's log.
kernels_peak() { sed -n 's/^heap for the big guest: peak \([0-9]*\) bytes.*/\1/p' "$LOGS/$1.log"; }
# The heap the firmware has, from a run's log.
heap_bytes() { sed -n 's/^heap: \([0-9]*\) bytes; .*/\1/p' "$LOGS/$1.log"; }

# Emulated atomics since reset, from a run's log (empty without the line).
emulated_total() { sed -n 's/^emulated atomics: \([0-9]*\) since reset$/\1/p' "$LOGS/$1.log"; }

# What a run must say it did with the big guest ("" for runs that don't care).
INSTALLED="streamed from the UART into flash, validated, installed"
LOADED="loaded the installed module from flash without validating"
READ_ALL="read all from the UART, then wasmi::Module::new"
# What the first boot of a streaming build must print about signatures: the
# CRC-32 guest with one flipped signature bit refused after its last byte
# (public key = RFC 8032 TEST 1's), then the big guest's signature verified
# over its digest (which build.rs signed; sha256 of kernels.wasm).
SIGNATURE_REFUSED='^signature: tampered signature refused \(expected\) after [0-9]+ bytes: type error: signature check failed: the signature is not public key d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a.s Ed25519 signature of the module.s digest sha256-[A-Za-z0-9+/]{43}=$'
SIGNATURE_VERIFIED=""

for name in "${NAMES[@]}"; do
    for variant in streaming baseline; do
        build "$name" "$variant"
        elf="$IMAGES/$name-$variant.elf"
        SIGNATURE_VERIFIED="signature: verified (Ed25519 over sha256-$(sri_digest "$IMAGES/kernels.uart")) before installing"
        # First boot: the big guest arrives over the UART into an empty flash.
        run "$name-$variant" "$elf" "${QEMU[$name]}" "$IMAGES/kernels.uart"
        how=$READ_ALL
        [[ $variant == streaming ]] && how=$INSTALLED
        problem=$(check "$name-$variant" "$variant" "${CORE_LINE[$name]}")
        if [[ -z $problem && $variant == streaming ]]; then
            # Second boot: the same flash file, nothing on the UART.
            run "$name-$variant-boot2" "$elf" "${QEMU[$name]}" /dev/null "$FLASH/$name-$variant.bin"
            how=$LOADED
            problem=$(check "$name-$variant-boot2" "$variant" "${CORE_LINE[$name]}")
            [[ -z $problem ]] && SUMMARY+=("$name streaming second boot: $LOADED")
        fi
        how=""
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

# The streaming firmware without the signature check, to measure the check.
for name in "${NO_SIGNATURE_NAMES[@]}"; do
    build "$name" no-signature
    run "$name-no-signature" "$IMAGES/$name-no-signature.elf" "${QEMU[$name]}" "$IMAGES/kernels.uart"
    how=$INSTALLED
    problem=$(check "$name-no-signature" no-signature "${CORE_LINE[$name]}")
    how=""
    if [[ -n $problem ]]; then
        fail "$name no-signature" "$problem"
        continue
    fi
    FLASH[$name/no-signature]=$(section_bytes "$IMAGES/$name-no-signature.elf" $FLASH_SECTIONS)
    passed=$((passed + 1))
    SUMMARY+=("$name streaming without the signature check: passed; flash ${FLASH[$name/no-signature]} bytes")
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
    run "rv32imc-$variant-with-a" "$IMAGES/rv32imc-$variant.elf" "$QEMU_RV" "$IMAGES/kernels.uart"
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
for name in "${NO_SIGNATURE_NAMES[@]}"; do
    streaming=${FLASH[$name/streaming]:-}
    unsigned=${FLASH[$name/no-signature]:-}
    baseline=${FLASH[$name/baseline]:-}
    [[ -n $streaming && -n $unsigned && -n $baseline ]] || continue
    cost=$((streaming - unsigned))
    budget=${SIGNATURE_BUDGET_BYTES[$name]}
    echo "$name: the signature check costs $cost bytes of flash (budget $budget)"
    ((cost <= budget)) || fail "$name" "signature check flash cost $cost > budget $budget"
    cost=$((unsigned - baseline))
    budget=${NO_SIGNATURE_BUDGET_BYTES[$name]}
    echo "$name: wasmstream without the signature check costs $cost bytes of flash over bare wasmi (budget $budget)"
    ((cost <= budget)) || fail "$name" "flash cost without the signature check $cost > budget $budget"
done
# The big guest: streaming it into flash must fit the firmware's heap, and
# reading it whole + Module::new (measured in the baseline's larger heap)
# must not.
for name in "${NAMES[@]}"; do
    streaming=$(kernels_peak "$name-streaming") heap=$(heap_bytes "$name-streaming")
    read_all=$(kernels_peak "$name-baseline")
    [[ -n $streaming && -n $heap && -n $read_all ]] || continue
    echo "$name big guest: heap peak streamed into flash $streaming, firmware heap $heap, read all + Module::new $read_all"
    if ! ((streaming < heap && heap < read_all)); then
        fail "$name" "the firmware's heap $heap does not lie between $streaming and $read_all"
    fi
done
if [[ -n ${FLASH[rv32imc/streaming]:-} && -n ${FLASH[rv32imac/streaming]:-} ]]; then
    echo "rv32imc: the atomic emulation costs $((FLASH[rv32imc/streaming] - FLASH[rv32imac/streaming])) bytes of flash"
fi

echo "firmware.sh took $((SECONDS - started)) s"
echo "firmware: $passed passed, $failed failed"
((failed == 0))
