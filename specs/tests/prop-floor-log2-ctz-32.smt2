; expect: unsat
;; For every nonzero word x (symbolic): floor-log2 picks the highest set bit
;; and ctz the lowest one.  A counterexample would make this satisfiable.
(declare-const x (_ BitVec 32))
(assert (not (= x (_ bv0 32))))
(assert (not (and
  ;; x >> floor-log2(x) = 1: bit floor-log2(x) is set and nothing above it
  (= (bvlshr x (k32.floor-log2 x)) (_ bv1 32))
  ;; the low ctz(x) bits are zero and bit ctz(x) is set
  (= (bvand x (k32.mask (k32.ctz x))) (_ bv0 32))
  (= (bvand (bvlshr x (k32.ctz x)) (_ bv1 32)) (_ bv1 32)))))
(check-sat)
