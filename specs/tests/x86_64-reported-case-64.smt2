; expect: unsat
;; The reported failure (x86_64), kernel side.
;; Device untyped: paddr 0x8000000000, sizeBits 46.  PPTR_BASE_OFFSET is
;; 0xffffff8000000000, so its capPtr is 0x8000000000 + offset = 0 (mod 2^64).
;; Boot untypeds start full: stored capFreeIndex = BIT(46 - 4) = 2^42.
;;
;; Retype argument order:
;;   cap-pptr block-size free-index is-device has-children type-valid
;;   obj-class fixed-size device-ok user-size count max-untyped-bits
;;   slot-bits min-sc-bits

;; 1st retype: one 2^39 Untyped (obj-class 0); no children yet -> reset.
(define-fun err1 () (_ BitVec 64)
  (k64.retype-error #x0000000000000000 (_ bv46 64) #x0000040000000000 true false true
                    (_ bv0 64) (_ bv0 64) true (_ bv39 64) (_ bv1 64) (_ bv47 64) (_ bv5 64) (_ bv7 64)))
(define-fun reset1 () Bool
  (k64.retype-reset #x0000000000000000 (_ bv46 64) #x0000040000000000 true false true
                    (_ bv0 64) (_ bv0 64) true (_ bv39 64) (_ bv1 64) (_ bv47 64) (_ bv5 64) (_ bv7 64)))
(define-fun free1 () (_ BitVec 64)
  (k64.retype-free-ref #x0000000000000000 (_ bv46 64) #x0000040000000000 true false true
                       (_ bv0 64) (_ bv0 64) true (_ bv39 64) (_ bv1 64) (_ bv47 64) (_ bv5 64) (_ bv7 64)))
(define-fun aligned1 () (_ BitVec 64)
  (k64.retype-aligned-free-ref #x0000000000000000 (_ bv46 64) #x0000040000000000 true false true
                               (_ bv0 64) (_ bv0 64) true (_ bv39 64) (_ bv1 64) (_ bv47 64) (_ bv5 64) (_ bv7 64)))
(define-fun index1 () (_ BitVec 64)
  (k64.retype-new-free-index #x0000000000000000 (_ bv46 64) #x0000040000000000 true false true
                             (_ bv0 64) (_ bv0 64) true (_ bv39 64) (_ bv1 64) (_ bv47 64) (_ bv5 64) (_ bv7 64)))

;; 2nd retype: one 2^40 Untyped; the first child is alive, stored index 2^35.
(define-fun err2 () (_ BitVec 64)
  (k64.retype-error #x0000000000000000 (_ bv46 64) #x0000000800000000 true true true
                    (_ bv0 64) (_ bv0 64) true (_ bv40 64) (_ bv1 64) (_ bv47 64) (_ bv5 64) (_ bv7 64)))
(define-fun reset2 () Bool
  (k64.retype-reset #x0000000000000000 (_ bv46 64) #x0000000800000000 true true true
                    (_ bv0 64) (_ bv0 64) true (_ bv40 64) (_ bv1 64) (_ bv47 64) (_ bv5 64) (_ bv7 64)))
(define-fun free2 () (_ BitVec 64)
  (k64.retype-free-ref #x0000000000000000 (_ bv46 64) #x0000000800000000 true true true
                       (_ bv0 64) (_ bv0 64) true (_ bv40 64) (_ bv1 64) (_ bv47 64) (_ bv5 64) (_ bv7 64)))
(define-fun aligned2 () (_ BitVec 64)
  (k64.retype-aligned-free-ref #x0000000000000000 (_ bv46 64) #x0000000800000000 true true true
                               (_ bv0 64) (_ bv0 64) true (_ bv40 64) (_ bv1 64) (_ bv47 64) (_ bv5 64) (_ bv7 64)))
(define-fun index2 () (_ BitVec 64)
  (k64.retype-new-free-index #x0000000000000000 (_ bv46 64) #x0000000800000000 true true true
                             (_ bv0 64) (_ bv0 64) true (_ bv40 64) (_ bv1 64) (_ bv47 64) (_ bv5 64) (_ bv7 64)))

(assert (not (and
  ;; 1st retype: succeeds, resets, object 0 at pptr 0, watermark 2^39 bytes.
  (= err1 (_ bv0 64))
  reset1
  (= free1 #x0000000000000000)
  (= aligned1 #x0000000000000000)
  (= index1 #x0000000800000000)
  ;; the allocator's watermark (2^39 bytes) mirrors the kernel's
  (inv64.mirrors #x0000008000000000 index1 true)
  ;; 2nd retype: freeRef = pptr 0x8000000000, aligned up to 2^40 on the pptr.
  (= err2 (_ bv0 64))
  (not reset2)
  (= free2 #x0000008000000000)
  (= aligned2 #x0000010000000000)
  (= index2 #x0000002000000000)
  ;; as a physical address that is 0x18000000000, not 0x10000000000
  (= (bvsub aligned2 #xffffff8000000000) #x0000018000000000)
  ;; aligning the offset from the untyped's base (2^39 -> 2^40) predicts it
  (= (k64.align-up #x0000008000000000 (_ bv40 64)) (bvsub aligned2 #x0000000000000000))
  (inv64.placed aligned2 #x0000000000000000 #x0000008000000000 #x0000018000000000)
  ;; the untyped cap itself satisfies the kernel's invariant (pptr 0, size 46)
  (inv64.untyped-ok #x0000000000000000 (_ bv46 64) (_ bv47 64)))))
(check-sat)
