; expect: unsat
;; The three limits on a boot piece (length, seL4_MaxUntypedBits, alignment of
;; start), pieces under 16 bytes, and a region ending at 2^64 (end word 0).
(assert (not (and
  ;; capped by seL4_MaxUntypedBits: x86_64 47, riscv64 38
  (= (k64.boot-cut-size #x0000000000000000 #x1000000000000000 (_ bv47 64)) (_ bv47 64))
  (= (k64.boot-cut-next #x0000000000000000 #x1000000000000000 (_ bv47 64)) #x0000800000000000)
  (= (k64.boot-cut-size #x0000000000000000 #x0000010000000000 (_ bv38 64)) (_ bv38 64))
  ;; capped by the alignment of start: length 0xff000 gives 19, ctz(0x1000) = 12
  (= (k64.boot-cut-size #x0000000000001000 #x0000000000100000 (_ bv47 64)) (_ bv12 64))
  (= (k64.boot-cut-next #x0000000000001000 #x0000000000100000 (_ bv47 64)) #x0000000000002000)
  ;; RAM example from the notes: [0x100000, 0x180000) cut alone gives 0x100000/19
  (= (k64.boot-cut-size #xffffff8000100000 #xffffff8000180000 (_ bv47 64)) (_ bv19 64))
  (= (k64.boot-cut-next #xffffff8000100000 #xffffff8000180000 (_ bv47 64)) #xffffff8000180000)
  ;; a piece of 8 bytes is skipped, but start still advances
  (= (k64.boot-cut-size #x0000000000000008 #x0000000000000100 (_ bv47 64)) (_ bv3 64))
  (not (k64.boot-cut-emits #x0000000000000008 #x0000000000000100 (_ bv47 64)))
  (= (k64.boot-cut-next #x0000000000000008 #x0000000000000100 (_ bv47 64)) #x0000000000000010)
  ;; exactly 16 bytes is emitted
  (k64.boot-cut-emits #x0000000000000010 #x0000000000000020 (_ bv47 64))
  ;; the region ends at 2^64 (end word 0): next wraps to 0
  (= (k64.boot-cut-size #xfffffffffffff000 #x0000000000000000 (_ bv47 64)) (_ bv12 64))
  (= (k64.boot-cut-next #xfffffffffffff000 #x0000000000000000 (_ bv47 64)) #x0000000000000000)
  ;; a region that wraps (end < start): the first piece stops at the wrap point
  (= (k64.boot-cut-size #xffffffffff000000 #x0000000000001000 (_ bv47 64)) (_ bv24 64))
  (= (k64.boot-cut-next #xffffffffff000000 #x0000000000001000 (_ bv47 64)) #x0000000000000000))))
(check-sat)
