; expect: unsat
;; Every error code of k64.retype-error (x86_64 numbers) and the order of
;; the checks.  All cases use a 2^20-byte untyped at paddr 0x100000, i.e.
;; pptr 0xffffff8000100000 (aligned to 2^20); seL4_MaxUntypedBits 47,
;; seL4_SlotBits 5, seL4_MinSchedContextBits 7.  Its full free index is
;; 2^20 >> 4 = 0x10000.
;;
;; Fixed sizes used: TCB 11 (not allowed in device memory), Endpoint 4,
;; 4K frame 12 (allowed in device memory).

(define-fun e ((free-index (_ BitVec 64)) (is-device Bool) (has-children Bool)
               (type-valid Bool) (obj-class (_ BitVec 64)) (fixed-size (_ BitVec 64))
               (device-ok Bool) (user-size (_ BitVec 64)) (count (_ BitVec 64)))
              (_ BitVec 64)
  (k64.retype-error #xffffff8000100000 (_ bv20 64) free-index is-device has-children
                    type-valid obj-class fixed-size device-ok user-size count
                    (_ bv47 64) (_ bv5 64) (_ bv7 64)))

(assert (not (and
  ;; --- 0: a plain successful TCB retype
  (= (e (_ bv0 64) false false true (_ bv3 64) (_ bv11 64) false (_ bv0 64) (_ bv1 64)) (_ bv0 64))

  ;; --- 1: invalid type wins over everything else (size 64, count 0, no memory)
  (= (e #x0000000000010000 true true false (_ bv3 64) (_ bv11 64) false (_ bv64 64) (_ bv0 64)) (_ bv1 64))

  ;; --- 2: userObjSize >= 64 even for a fixed-size type (TCB)
  (= (e (_ bv0 64) false false true (_ bv3 64) (_ bv11 64) false (_ bv64 64) (_ bv1 64)) (_ bv2 64))
  (= (e (_ bv0 64) false false true (_ bv3 64) (_ bv11 64) false #xffffffffffffffff (_ bv1 64)) (_ bv2 64))
  ;;     Untyped larger than seL4_MaxUntypedBits
  (= (e (_ bv0 64) false false true (_ bv0 64) (_ bv0 64) false (_ bv48 64) (_ bv1 64)) (_ bv2 64))
  ;;     CNode: 5 + 43 = 48 > 47
  (= (e (_ bv0 64) false false true (_ bv1 64) (_ bv0 64) false (_ bv43 64) (_ bv1 64)) (_ bv2 64))
  ;;     CNode: 5 + 42 = 47 passes this check (and then lacks memory)
  (= (e (_ bv0 64) false false true (_ bv1 64) (_ bv0 64) false (_ bv42 64) (_ bv1 64)) (_ bv5 64))
  ;;     CNode with a huge size whose objectSize would wrap to a small value
  (= (e (_ bv0 64) false false true (_ bv1 64) (_ bv0 64) false #xffffffffffffffff (_ bv1 64)) (_ bv2 64))
  ;;     size check comes before the minimum-size check and the count check
  (= (e (_ bv0 64) false false true (_ bv0 64) (_ bv0 64) false (_ bv64 64) (_ bv0 64)) (_ bv2 64))

  ;; --- 3: too small: CNode 0, Untyped < 4, SchedContext < 7
  (= (e (_ bv0 64) false false true (_ bv1 64) (_ bv0 64) false (_ bv0 64) (_ bv1 64)) (_ bv3 64))
  (= (e (_ bv0 64) false false true (_ bv0 64) (_ bv0 64) false (_ bv3 64) (_ bv1 64)) (_ bv3 64))
  (= (e (_ bv0 64) false false true (_ bv2 64) (_ bv0 64) false (_ bv6 64) (_ bv1 64)) (_ bv3 64))
  ;;     the smallest allowed sizes succeed
  (= (e (_ bv0 64) false false true (_ bv1 64) (_ bv0 64) false (_ bv1 64) (_ bv1 64)) (_ bv0 64))
  (= (e (_ bv0 64) false false true (_ bv0 64) (_ bv0 64) false (_ bv4 64) (_ bv1 64)) (_ bv0 64))
  (= (e (_ bv0 64) false false true (_ bv2 64) (_ bv0 64) false (_ bv7 64) (_ bv1 64)) (_ bv0 64))
  ;;     a fixed-size type ignores a zero user size
  (= (e (_ bv0 64) false false true (_ bv3 64) (_ bv4 64) false (_ bv0 64) (_ bv1 64)) (_ bv0 64))
  ;;     minimum-size check comes before the count check
  (= (e (_ bv0 64) false false true (_ bv0 64) (_ bv0 64) false (_ bv3 64) (_ bv0 64)) (_ bv3 64))

  ;; --- 4: count outside 1..256
  (= (e (_ bv0 64) false false true (_ bv3 64) (_ bv11 64) false (_ bv0 64) (_ bv0 64)) (_ bv4 64))
  (= (e (_ bv0 64) false false true (_ bv3 64) (_ bv4 64) false (_ bv0 64) (_ bv257 64)) (_ bv4 64))
  ;;     256 Endpoints (256 * 16 bytes) fit
  (= (e (_ bv0 64) false false true (_ bv3 64) (_ bv4 64) false (_ bv0 64) (_ bv256 64)) (_ bv0 64))
  ;;     count check comes before the memory and device checks
  (= (e #x0000000000010000 true true true (_ bv3 64) (_ bv11 64) false (_ bv0 64) (_ bv0 64)) (_ bv4 64))

  ;; --- 5: not enough memory
  ;;     full untyped with a live child: nothing left
  (= (e #x0000000000010000 false true true (_ bv3 64) (_ bv11 64) false (_ bv0 64) (_ bv1 64)) (_ bv5 64))
  ;;     the same stored index without children is reset to 0: success
  (= (e #x0000000000010000 false false true (_ bv3 64) (_ bv11 64) false (_ bv0 64) (_ bv1 64)) (_ bv0 64))
  ;;     exactly 2^11 bytes left (index (2^20 - 2^11) >> 4 = 0xff80): one TCB fits, two do not
  (= (e #x000000000000ff80 false true true (_ bv3 64) (_ bv11 64) false (_ bv0 64) (_ bv1 64)) (_ bv0 64))
  (= (e #x000000000000ff80 false true true (_ bv3 64) (_ bv11 64) false (_ bv0 64) (_ bv2 64)) (_ bv5 64))
  ;;     a whole-untyped Untyped child fits exactly once
  (= (e (_ bv0 64) false false true (_ bv0 64) (_ bv0 64) false (_ bv20 64) (_ bv1 64)) (_ bv0 64))
  (= (e (_ bv0 64) false false true (_ bv0 64) (_ bv0 64) false (_ bv20 64) (_ bv2 64)) (_ bv5 64))
  (= (e (_ bv0 64) false false true (_ bv0 64) (_ bv0 64) false (_ bv21 64) (_ bv1 64)) (_ bv5 64))
  ;;     ORDER: device untyped, TCB (not allowed there) and not enough memory -> 5, not 6
  (= (e #x0000000000010000 true true true (_ bv3 64) (_ bv11 64) false (_ bv0 64) (_ bv1 64)) (_ bv5 64))

  ;; --- 6: device untyped and a type that is neither a frame nor Untyped
  (= (e (_ bv0 64) true false true (_ bv3 64) (_ bv11 64) false (_ bv0 64) (_ bv1 64)) (_ bv6 64))
  (= (e (_ bv0 64) true false true (_ bv1 64) (_ bv0 64) false (_ bv4 64) (_ bv1 64)) (_ bv6 64))
  ;;     frames and Untypeds are fine in device memory
  (= (e (_ bv0 64) true false true (_ bv3 64) (_ bv12 64) true (_ bv0 64) (_ bv1 64)) (_ bv0 64))
  (= (e (_ bv0 64) true false true (_ bv0 64) (_ bv0 64) true (_ bv12 64) (_ bv1 64)) (_ bv0 64))
  ;;     a TCB in normal memory is fine
  (= (e (_ bv0 64) false false true (_ bv3 64) (_ bv11 64) false (_ bv0 64) (_ bv1 64)) (_ bv0 64)))))
(check-sat)
