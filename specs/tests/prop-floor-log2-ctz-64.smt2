; expect: unsat
;; For every nonzero word x (symbolic): floor-log2 picks the highest set bit
;; and ctz the lowest one.  A counterexample would make this satisfiable.
(declare-const x (_ BitVec 64))
(assert (not (= x (_ bv0 64))))
(assert (not (and
  ;; x >> floor-log2(x) = 1: bit floor-log2(x) is set and nothing above it
  (= (bvlshr x (k64.floor-log2 x)) (_ bv1 64))
  ;; the low ctz(x) bits are zero and bit ctz(x) is set
  (= (bvand x (k64.mask (k64.ctz x))) (_ bv0 64))
  (= (bvand (bvlshr x (k64.ctz x)) (_ bv1 64)) (_ bv1 64)))))
(check-sat)
