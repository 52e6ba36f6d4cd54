#!/usr/bin/env bash
# Builds every variant of the footprint image for Cortex-M4F and RV32IMAC in
# two profiles and prints its flash bytes and the difference to `none`:
#   release        opt-level "z", fat LTO, 1 codegen unit, panic abort (firmware)
#   plain-release  cargo's default release settings (opt-level 3, no LTO)
# Flash is .vector_table + .text + .init.rust + .rodata + .data (size -A), as
# in .ci/firmware.sh. Usage: examples/footprint/measure.sh
set -euo pipefail
cd "$(dirname "$0")"

VARIANTS=(none integrity integrity-compact signature signature-compact salty ed25519-compact ed25519-dalek ed25519-dalek-3)
TARGETS=(thumbv7em-none-eabihf riscv32imac-unknown-none-elf)
PROFILES=(release plain-release)
FLASH_SECTIONS=" .vector_table .text .init.rust .rodata .data "

rustup target add "${TARGETS[@]}" >/dev/null
if ! command -v size >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends binutils >/dev/null
fi

flash_bytes() {
    size -A "$1" | awk -v names="$FLASH_SECTIONS" \
        'index(names, " " $1 " ") { total += $2 } END { print total + 0 }'
}

printf '| target | profile | variant | flash | over `none` |\n|---|---|---|---:|---:|\n'
for target in "${TARGETS[@]}"; do
    for profile in "${PROFILES[@]}"; do
        base=0
        for variant in "${VARIANTS[@]}"; do
            cargo build -q --profile "$profile" --target "$target" --features "$variant"
            elf="target/$target/$profile/wasmstream-footprint"
            bytes=$(flash_bytes "$elf")
            [[ $variant == none ]] && base=$bytes
            printf '| %s | %s | %s | %s | %s |\n' "$target" "$profile" "$variant" "$bytes" "$((bytes - base))"
        done
    done
done
