; expect: unsat
;; Error codes with 32-bit words (aarch32-like numbers): seL4_MaxUntypedBits 29,
;; seL4_SlotBits 4, seL4_MinSchedContextBits 7.  A 2^16-byte untyped at
;; pptr 0xe0010000; full free index 2^16 >> 4 = 0x1000.

(define-fun e ((free-index (_ BitVec 32)) (is-device Bool) (has-children Bool)
               (type-valid Bool) (obj-class (_ BitVec 32)) (fixed-size (_ BitVec 32))
               (device-ok Bool) (user-size (_ BitVec 32)) (count (_ BitVec 32)))
              (_ BitVec 32)
  (k32.retype-error #xe0010000 (_ bv16 32) free-index is-device has-children
                    type-valid obj-class fixed-size device-ok user-size count
                    (_ bv29 32) (_ bv4 32) (_ bv7 32)))

(assert (not (and
  (= (e (_ bv0 32) false false true (_ bv3 32) (_ bv9 32) false (_ bv0 32) (_ bv1 32)) (_ bv0 32))
  (= (e (_ bv0 32) false false false (_ bv3 32) (_ bv9 32) false (_ bv0 32) (_ bv1 32)) (_ bv1 32))
  ;; userObjSize >= 32 (word size), even for a fixed-size type
  (= (e (_ bv0 32) false false true (_ bv3 32) (_ bv9 32) false (_ bv32 32) (_ bv1 32)) (_ bv2 32))
  (= (e (_ bv0 32) false false true (_ bv3 32) (_ bv9 32) false (_ bv31 32) (_ bv1 32)) (_ bv0 32))
  ;; Untyped 30 > 29; CNode 4 + 26 = 30 > 29; CNode 4 + 25 = 29 passes (then no memory)
  (= (e (_ bv0 32) false false true (_ bv0 32) (_ bv0 32) false (_ bv30 32) (_ bv1 32)) (_ bv2 32))
  (= (e (_ bv0 32) false false true (_ bv1 32) (_ bv0 32) false (_ bv26 32) (_ bv1 32)) (_ bv2 32))
  (= (e (_ bv0 32) false false true (_ bv1 32) (_ bv0 32) false (_ bv25 32) (_ bv1 32)) (_ bv5 32))
  (= (e (_ bv0 32) false false true (_ bv1 32) (_ bv0 32) false (_ bv0 32) (_ bv1 32)) (_ bv3 32))
  (= (e (_ bv0 32) false false true (_ bv0 32) (_ bv0 32) false (_ bv3 32) (_ bv1 32)) (_ bv3 32))
  (= (e (_ bv0 32) false false true (_ bv2 32) (_ bv0 32) false (_ bv6 32) (_ bv1 32)) (_ bv3 32))
  (= (e (_ bv0 32) false false true (_ bv3 32) (_ bv4 32) false (_ bv0 32) (_ bv257 32)) (_ bv4 32))
  (= (e (_ bv0 32) false false true (_ bv3 32) (_ bv4 32) false (_ bv0 32) (_ bv256 32)) (_ bv0 32))
  (= (e #x00001000 false true true (_ bv3 32) (_ bv4 32) false (_ bv0 32) (_ bv1 32)) (_ bv5 32))
  (= (e #x00001000 false false true (_ bv3 32) (_ bv4 32) false (_ bv0 32) (_ bv1 32)) (_ bv0 32))
  (= (e #x00001000 true true true (_ bv3 32) (_ bv9 32) false (_ bv0 32) (_ bv1 32)) (_ bv5 32))
  (= (e (_ bv0 32) true false true (_ bv3 32) (_ bv9 32) false (_ bv0 32) (_ bv1 32)) (_ bv6 32))
  (= (e (_ bv0 32) true false true (_ bv3 32) (_ bv12 32) true (_ bv0 32) (_ bv1 32)) (_ bv0 32)))))
(check-sat)
