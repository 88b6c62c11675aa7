; expect: unsat
;; Concrete true and false instances of each invariant (32-bit).
(assert (not (and
  (inv32.untyped-ok #xf0000000 (_ bv28 32) (_ bv29 32))
  (not (inv32.untyped-ok #xf0000000 (_ bv29 32) (_ bv29 32)))
  (not (inv32.untyped-ok #x00000000 (_ bv30 32) (_ bv29 32)))
  (inv32.mirrors #x00000000 #x00000100 false)
  (inv32.mirrors #x00001000 #x00000100 true)
  ;; zynq7000: offset 0xe0000000; untyped paddr 0 at pptr 0xe0000000
  (inv32.placed #xe0004000 #xe0000000 #x00000000 #x00004000)
  (inv32.in-bounds #x0ffff000 (_ bv12 32) (_ bv28 32))
  (not (inv32.in-bounds #x0ffff010 (_ bv12 32) (_ bv28 32)))
  (inv32.aligned #xf0000000 (_ bv28 32))
  (not (inv32.aligned #xf0000000 (_ bv29 32)))
  (inv32.no-overlap #x00000010 #x00000020)
  (inv32.dummy-before-target #x00000020 #x00000020))))
(check-sat)
