; expect: unsat
;; Concrete values of bit, mask, align-up, floor-log2, ctz (32-bit).
(assert (not (and
  (= (k32.bit (_ bv31 32)) #x80000000)
  (= (k32.bit (_ bv32 32)) #x00000000)
  (= (k32.mask (_ bv32 32)) #xffffffff)
  (= (k32.align-up #xf0000001 (_ bv28 32)) #x00000000)
  (= (k32.align-up #xe0001000 (_ bv12 32)) #xe0001000)
  (= (k32.floor-log2 #x00000000) #xffffffff)
  (= (k32.floor-log2 #x00000001) (_ bv0 32))
  (= (k32.floor-log2 #x10000000) (_ bv28 32))
  (= (k32.floor-log2 #x7fffffff) (_ bv30 32))
  (= (k32.floor-log2 #xffffffff) (_ bv31 32))
  (= (k32.ctz #x00000000) (_ bv32 32))
  (= (k32.ctz #xe0000000) (_ bv29 32))
  (= (k32.ctz #x80000000) (_ bv31 32))
  (= (k32.ctz #x00000001) (_ bv0 32))
  (= (k32.object-size (_ bv1 32) (_ bv0 32) (_ bv8 32) (_ bv4 32)) (_ bv12 32)))))
(check-sat)
