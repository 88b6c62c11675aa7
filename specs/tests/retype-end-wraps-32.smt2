; expect: unsat
;; 32-bit device untyped ending exactly at 2^32: pptr 0xf0000000, 2^28 bytes,
;; full at boot (index 2^24).  seL4_MaxUntypedBits 29, SlotBits 4.
;; The new free index is computed modulo 2^32 and is right although the end
;; of the allocation wraps to 0.
(define-fun r ((free-index (_ BitVec 32)) (has-children Bool)
               (user-size (_ BitVec 32)) (count (_ BitVec 32))) (_ BitVec 32)
  (k32.retype-new-free-index #xf0000000 (_ bv28 32) free-index true has-children true
                             (_ bv0 32) (_ bv0 32) true user-size count
                             (_ bv29 32) (_ bv4 32) (_ bv7 32)))
(define-fun a ((free-index (_ BitVec 32)) (has-children Bool)
               (user-size (_ BitVec 32)) (count (_ BitVec 32))) (_ BitVec 32)
  (k32.retype-aligned-free-ref #xf0000000 (_ bv28 32) free-index true has-children true
                               (_ bv0 32) (_ bv0 32) true user-size count
                               (_ bv29 32) (_ bv4 32) (_ bv7 32)))
(define-fun e ((free-index (_ BitVec 32)) (has-children Bool)
               (user-size (_ BitVec 32)) (count (_ BitVec 32))) (_ BitVec 32)
  (k32.retype-error #xf0000000 (_ bv28 32) free-index true has-children true
                    (_ bv0 32) (_ bv0 32) true user-size count
                    (_ bv29 32) (_ bv4 32) (_ bv7 32)))
(assert (not (and
  (inv32.untyped-ok #xf0000000 (_ bv28 32) (_ bv29 32))
  ;; one Untyped covering everything: index becomes 2^24 (full)
  (= (e #x01000000 false (_ bv28 32) (_ bv1 32)) (_ bv0 32))
  (= (a #x01000000 false (_ bv28 32) (_ bv1 32)) #xf0000000)
  (= (r #x01000000 false (_ bv28 32) (_ bv1 32)) #x01000000)
  ;; two halves: the same
  (= (e #x01000000 false (_ bv27 32) (_ bv2 32)) (_ bv0 32))
  (= (r #x01000000 false (_ bv27 32) (_ bv2 32)) #x01000000)
  ;; the upper half alone, after a live lower half (index 2^23)
  (= (e #x00800000 true (_ bv27 32) (_ bv1 32)) (_ bv0 32))
  (= (a #x00800000 true (_ bv27 32) (_ bv1 32)) #xf8000000)
  (= (r #x00800000 true (_ bv27 32) (_ bv1 32)) #x01000000)
  ;; full with a live child: not enough memory even for 16 bytes
  (= (e #x01000000 true (_ bv4 32) (_ bv1 32)) (_ bv5 32))
  ;; capPtr survives the 32-bit cap encoding
  (= (k32.capptr-load #xf0000000 (_ bv2 32) (_ bv0 32)) #xf0000000))))
(check-sat)
