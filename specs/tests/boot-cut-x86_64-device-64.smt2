; expect: unsat
;; x86_64 top device region from pptr 0 (paddr 0x8000000000) up to
;; PADDR_USER_DEVICE_TOP = 2^47, i.e. pptr 2^47 + 0xffffff8000000000 =
;; 0x00007f8000000000 (mod 2^64).  seL4_MaxUntypedBits 47.
;; Expected pieces (paddr/sizeBits): 0x8000000000/46, 0x408000000000/45,
;; 0x608000000000/44, ..., and the last one 0x7f8000000000 - 2^39 .. end.
(define-fun off () (_ BitVec 64) #xffffff8000000000)
(define-fun end () (_ BitVec 64) #x00007f8000000000)
(define-fun mx () (_ BitVec 64) (_ bv47 64))
(assert (not (and
  ;; piece 1: pptr 0 counts as aligned to everything; size by length = 46
  (= (k64.boot-cut-size #x0000000000000000 end mx) (_ bv46 64))
  (k64.boot-cut-emits #x0000000000000000 end mx)
  (= (k64.boot-cut-next #x0000000000000000 end mx) #x0000400000000000)
  (= (bvsub #x0000000000000000 off) #x0000008000000000)
  ;; piece 2
  (= (k64.boot-cut-size #x0000400000000000 end mx) (_ bv45 64))
  (k64.boot-cut-emits #x0000400000000000 end mx)
  (= (k64.boot-cut-next #x0000400000000000 end mx) #x0000600000000000)
  (= (bvsub #x0000400000000000 off) #x0000408000000000)
  ;; piece 3
  (= (k64.boot-cut-size #x0000600000000000 end mx) (_ bv44 64))
  (= (k64.boot-cut-next #x0000600000000000 end mx) #x0000700000000000)
  (= (bvsub #x0000600000000000 off) #x0000608000000000)
  ;; last piece: 2^39 bytes ending exactly at the region's end
  (= (k64.boot-cut-size #x00007f0000000000 end mx) (_ bv39 64))
  (= (k64.boot-cut-next #x00007f0000000000 end mx) end)
  ;; these untypeds satisfy the kernel's pptr-alignment invariant, although
  ;; their paddrs (0x8000000000 for size 46) are not aligned to their size
  (inv64.untyped-ok #x0000000000000000 (_ bv46 64) mx)
  (inv64.untyped-ok #x0000400000000000 (_ bv45 64) mx)
  (not (inv64.aligned #x0000008000000000 (_ bv46 64))))))
(check-sat)
