; expect: unsat
;; 32-bit regions that end at 2^32 (end word 0), as the top device region on
;; 32-bit Arm and RISC-V does since 16.0.0.  seL4_MaxUntypedBits 29.
(assert (not (and
  ;; [0xf0000000, 2^32): one 2^28 piece, next wraps to 0
  (= (k32.boot-cut-size #xf0000000 #x00000000 (_ bv29 32)) (_ bv28 32))
  (k32.boot-cut-emits #xf0000000 #x00000000 (_ bv29 32))
  (= (k32.boot-cut-next #xf0000000 #x00000000 (_ bv29 32)) #x00000000)
  ;; [0xe0000000, 2^32): one 2^29 piece
  (= (k32.boot-cut-size #xe0000000 #x00000000 (_ bv29 32)) (_ bv29 32))
  (= (k32.boot-cut-next #xe0000000 #x00000000 (_ bv29 32)) #x00000000)
  ;; [0x90000000, 2^32): length 0x70000000 gives 30, max 29, ctz 28 -> 28
  (= (k32.boot-cut-size #x90000000 #x00000000 (_ bv29 32)) (_ bv28 32))
  (= (k32.boot-cut-next #x90000000 #x00000000 (_ bv29 32)) #xa0000000)
  ;; then [0xa0000000, 2^32): length 0x60000000 gives 30, max 29, ctz 29 -> 29
  (= (k32.boot-cut-size #xa0000000 #x00000000 (_ bv29 32)) (_ bv29 32))
  (= (k32.boot-cut-next #xa0000000 #x00000000 (_ bv29 32)) #xc0000000)
  ;; a wrapping region [0xfff00000, 0x00100000): 2^20 up to the wrap point ...
  (= (k32.boot-cut-size #xfff00000 #x00100000 (_ bv29 32)) (_ bv20 32))
  (= (k32.boot-cut-next #xfff00000 #x00100000 (_ bv29 32)) #x00000000)
  ;; ... then 2^20 from 0
  (= (k32.boot-cut-size #x00000000 #x00100000 (_ bv29 32)) (_ bv20 32))
  (= (k32.boot-cut-next #x00000000 #x00100000 (_ bv29 32)) #x00100000))))
(check-sat)
