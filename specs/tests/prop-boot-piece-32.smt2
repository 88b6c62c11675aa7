; expect: unsat
;; For every region (symbolic start != end, possibly wrapping) the boot piece
;; chosen by create_untypeds_for_region is a valid untyped: its pptr is
;; aligned to its size (start 0 is aligned to everything), its size is at most
;; seL4_MaxUntypedBits (29 here), it fits in what is left of the region
;; (2^size <= end - start), and it does not wrap past 2^32 (next is either 0
;; or above start).
(declare-const start (_ BitVec 32))
(declare-const end (_ BitVec 32))
(define-fun size () (_ BitVec 32) (k32.boot-cut-size start end (_ bv29 32)))
(define-fun next () (_ BitVec 32) (k32.boot-cut-next start end (_ bv29 32)))
(assert (not (= start end)))
(assert (not (and
  (inv32.aligned start size)
  (bvule size (_ bv29 32))
  (bvule (k32.bit size) (bvsub end start))
  (or (= next (_ bv0 32)) (bvugt next start))
  (=> (k32.boot-cut-emits start end (_ bv29 32))
      (inv32.untyped-ok start size (_ bv29 32))))))
(check-sat)
