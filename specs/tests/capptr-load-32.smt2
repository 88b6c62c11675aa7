; expect: unsat
;; Reading back capPtr of an untyped cap on 32-bit configurations (kind 2:
;; the top 28 bits are stored; the bits argument is ignored).
(assert (not (and
  (= (k32.capptr-load #xe0000000 (_ bv2 32) (_ bv0 32)) #xe0000000)
  (= (k32.capptr-load #xfffffff0 (_ bv2 32) (_ bv0 32)) #xfffffff0)
  (= (k32.capptr-load #xe000001f (_ bv2 32) (_ bv0 32)) #xe0000010)
  (= (k32.capptr-load #xe000001f (_ bv2 32) (_ bv28 32)) #xe0000010)
  (= (k32.capptr-load #x0000000f (_ bv2 32) (_ bv99 32)) #x00000000)
  ;; kinds 0 and 1 are defined in this width too
  (= (k32.capptr-load #x00800000 (_ bv0 32) (_ bv24 32)) #xff800000)
  (= (k32.capptr-load #xff800000 (_ bv1 32) (_ bv24 32)) #x00800000))))
(check-sat)
