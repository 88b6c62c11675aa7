; expect: unsat
;; One of six files (prop-offset-alignment-*-64) that together check the
;; property below: each asks for a counterexample to one of its six conjuncts
;; under the same assumptions, so all six unsat is exactly the conjunction
;; unsat (split because each part is solved much faster than the whole).
;; This part: that offset is aligned to the object size.
;; Why aligning on the offset from the untyped's base is right (section 7 of
;; the notes).  For every untyped satisfying the kernel's invariant (pptr
;; aligned to its size, size <= seL4_MaxUntypedBits = 47 here) and every
;; retype that succeeds:
;;   * object 0 lies at offset align-up(watermark, objectSize) from the base,
;;     where watermark is the value an allocator mirrors (inv64.mirrors);
;;   * all count objects lie inside the untyped;
;;   * the new watermark (new free index << 4) is the end of the allocation,
;;     so the allocator can mirror it afterwards (objects of >= 16 bytes).
;; Symbolic in every argument except the configuration constants.
(declare-const cap-pptr (_ BitVec 64))
(declare-const block-size (_ BitVec 64))
(declare-const free-index (_ BitVec 64))
(declare-const is-device Bool)
(declare-const has-children Bool)
(declare-const obj-class (_ BitVec 64))
(declare-const fixed-size (_ BitVec 64))
(declare-const device-ok Bool)
(declare-const user-size (_ BitVec 64))
(declare-const count (_ BitVec 64))
(declare-const watermark (_ BitVec 64))
(define-fun object-size () (_ BitVec 64)
  (k64.object-size obj-class fixed-size user-size (_ bv5 64)))
(define-fun err () (_ BitVec 64)
  (k64.retype-error cap-pptr block-size free-index is-device has-children true
                    obj-class fixed-size device-ok user-size count
                    (_ bv47 64) (_ bv5 64) (_ bv7 64)))
(define-fun aligned-ref () (_ BitVec 64)
  (k64.retype-aligned-free-ref cap-pptr block-size free-index is-device has-children true
                               obj-class fixed-size device-ok user-size count
                               (_ bv47 64) (_ bv5 64) (_ bv7 64)))
(define-fun new-index () (_ BitVec 64)
  (k64.retype-new-free-index cap-pptr block-size free-index is-device has-children true
                             obj-class fixed-size device-ok user-size count
                             (_ bv47 64) (_ bv5 64) (_ bv7 64)))
(define-fun offset () (_ BitVec 64) (bvsub aligned-ref cap-pptr))
(define-fun alloc-end () (_ BitVec 64) (bvadd offset (bvshl count object-size)))
;; the untyped is a valid cap whose watermark lies inside it
(assert (inv64.untyped-ok cap-pptr block-size (_ bv47 64)))
(assert (bvule (bvshl free-index (_ bv4 64)) (k64.bit block-size)))
(assert (inv64.mirrors watermark free-index has-children))
(assert (bvule obj-class (_ bv3 64)))
(assert (bvuge object-size (_ bv4 64)))
(assert (= err (_ bv0 64)))
(assert (not (inv64.aligned offset object-size)))
(check-sat)
