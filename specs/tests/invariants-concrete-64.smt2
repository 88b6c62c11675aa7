; expect: unsat
;; Concrete true and false instances of each invariant (64-bit).
(assert (not (and
  (inv64.untyped-ok #xffffff8000100000 (_ bv20 64) (_ bv47 64))
  (not (inv64.untyped-ok #xffffff8000100000 (_ bv21 64) (_ bv47 64)))   ; misaligned
  (not (inv64.untyped-ok #x0000000000000000 (_ bv3 64) (_ bv47 64)))    ; too small
  (not (inv64.untyped-ok #x0000000000000000 (_ bv48 64) (_ bv47 64)))   ; too large
  (inv64.untyped-ok #x0000000000000000 (_ bv47 64) (_ bv47 64))
  (inv64.mirrors #x0000000000000000 #x0000000000001234 false)
  (not (inv64.mirrors #x0000000000012340 #x0000000000001234 false))
  (inv64.mirrors #x0000000000012340 #x0000000000001234 true)
  (not (inv64.mirrors #x0000000000000000 #x0000000000001234 true))
  (inv64.placed #xffffff8000101000 #xffffff8000100000 #x0000000000100000 #x0000000000101000)
  (not (inv64.placed #xffffff8000102000 #xffffff8000100000 #x0000000000100000 #x0000000000101000))
  ;; device pptrs that wrap past 2^64 still give the right offset
  (inv64.placed #x0000000000000000 #xfffffff000000000 #x0000000100000000 #x0000001100000000)
  (inv64.in-bounds #x00000000000ff800 (_ bv11 64) (_ bv20 64))
  (not (inv64.in-bounds #x00000000000ff900 (_ bv11 64) (_ bv20 64)))
  (not (inv64.in-bounds #x0000000000000000 (_ bv21 64) (_ bv20 64)))
  (inv64.in-bounds #x0000000000000000 (_ bv20 64) (_ bv20 64))
  (inv64.aligned #x0000010000000000 (_ bv40 64))
  (not (inv64.aligned #x0000008000000000 (_ bv40 64)))
  (inv64.aligned #x0000000000000000 (_ bv64 64))
  (inv64.no-overlap #x0000000000001000 #x0000000000001000)
  (not (inv64.no-overlap #x0000000000001000 #x0000000000000ff0))
  (inv64.dummy-before-target #x0000010000000000 #x0000010000000000)
  (not (inv64.dummy-before-target #x0000010000000010 #x0000010000000000)))))
(check-sat)
