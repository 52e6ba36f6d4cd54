;; The guest the firmware streams from flash: CRC-32 (IEEE 802.3, the one in
;; zlib and Ethernet) over its own linear memory, table-driven.
;;
;; Memory layout (16 KiB in 1-byte pages, the custom-page-sizes proposal: a
;; microcontroller cannot spare the 64 KiB of a standard Wasm page):
;;   0    .. 1024   the CRC table, built by the start function
;;   1024 .. 1033   "123456789", the standard CRC check input
;;   1040 .. 1057   a message for the host's log function
;;   4096 .. 16384  the work area `fill` writes and `crc32` reads
(module
  (import "env" "log" (func $log (param i32 i32)))
  (memory (export "memory") 16384 16384 (pagesize 1))
  (data (i32.const 1024) "123456789")
  (data (i32.const 1040) "crc32 table built")

  ;; Builds the 256-entry table for the reflected polynomial 0xEDB88320,
  ;; then tells the host.
  (func $build_table
    (local $n i32) (local $c i32) (local $bit i32)
    (loop $entries
      (local.set $c (local.get $n))
      (local.set $bit (i32.const 8))
      (loop $bits
        (local.set $c
          (if (result i32) (i32.and (local.get $c) (i32.const 1))
            (then (i32.xor (i32.const 0xEDB88320) (i32.shr_u (local.get $c) (i32.const 1))))
            (else (i32.shr_u (local.get $c) (i32.const 1)))))
        (local.tee $bit (i32.sub (local.get $bit) (i32.const 1)))
        (br_if $bits))
      (i32.store (i32.shl (local.get $n) (i32.const 2)) (local.get $c))
      (local.tee $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $entries (i32.lt_u (i32.const 256))))
    (call $log (i32.const 1040) (i32.const 17)))
  (start $build_table)

  ;; CRC-32 of memory[ptr .. ptr + len].
  (func (export "crc32") (param $ptr i32) (param $len i32) (result i32)
    (local $crc i32) (local $end i32)
    (local.set $crc (i32.const -1))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (local.set $crc
          (i32.xor
            (i32.load
              (i32.shl
                (i32.and
                  (i32.xor (local.get $crc) (i32.load8_u (local.get $ptr)))
                  (i32.const 0xFF))
                (i32.const 2)))
            (i32.shr_u (local.get $crc) (i32.const 8))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (br $bytes)))
    (i32.xor (local.get $crc) (i32.const -1)))

  ;; Writes len pseudo-random bytes (xorshift32 from seed) at ptr.
  (func (export "fill") (param $ptr i32) (param $len i32) (param $seed i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (local.set $seed (i32.xor (local.get $seed) (i32.shl (local.get $seed) (i32.const 13))))
        (local.set $seed (i32.xor (local.get $seed) (i32.shr_u (local.get $seed) (i32.const 17))))
        (local.set $seed (i32.xor (local.get $seed) (i32.shl (local.get $seed) (i32.const 5))))
        (i32.store8 (local.get $ptr) (local.get $seed))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (br $bytes))))
)
