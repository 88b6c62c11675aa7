; expect: unsat
;; For every region (symbolic start != end, possibly wrapping) the boot piece
;; chosen by create_untypeds_for_region is a valid untyped: its pptr is
;; aligned to its size (start 0 is aligned to everything), its size is at most
;; seL4_MaxUntypedBits (47 here), it fits in what is left of the region
;; (2^size <= end - start), and it does not wrap past 2^64 (next is either 0
;; or above start).
(declare-const start (_ BitVec 64))
(declare-const end (_ BitVec 64))
(define-fun size () (_ BitVec 64) (k64.boot-cut-size start end (_ bv47 64)))
(define-fun next () (_ BitVec 64) (k64.boot-cut-next start end (_ bv47 64)))
(assert (not (= start end)))
(assert (not (and
  (inv64.aligned start size)
  (bvule size (_ bv47 64))
  (bvule (k64.bit size) (bvsub end start))
  (or (= next (_ bv0 64)) (bvugt next start))
  (=> (k64.boot-cut-emits start end (_ bv47 64))
      (inv64.untyped-ok start size (_ bv47 64))))))
(check-sat)
