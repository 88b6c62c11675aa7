; expect: sat
;; The allocator's mistaken belief in the reported case: aligning on the
;; absolute paddr, it expects the 2^40 object at paddr 0x10000000000.  The
;; kernel places it elsewhere, so "placed" is false for that target; this
;; query asserts exactly that and must be satisfiable.
(define-fun aligned2 () (_ BitVec 64)
  (k64.retype-aligned-free-ref #x0000000000000000 (_ bv46 64) #x0000000800000000 true true true
                               (_ bv0 64) (_ bv0 64) true (_ bv40 64) (_ bv1 64) (_ bv47 64) (_ bv5 64) (_ bv7 64)))
(assert (not (inv64.placed aligned2 #x0000000000000000 #x0000008000000000 #x0000010000000000)))
(check-sat)
