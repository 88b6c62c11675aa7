;; ===========================================================================
;; invariants-64.smt2 -- invariants an untyped allocator must keep, 64-bit words
;; ===========================================================================
;;
;; Load after kernel-64.smt2 (uses its k64. definitions).  Like that file it
;; contains no set-logic and no check-sat; all arithmetic is modulo 2^64.
;; Kernel reference: seL4 16.0.0 / commit 1326364bc9135d9445d936ebc01e38a402c1f4c6.
;;
;; The invariants, in words:
;;
;;   untyped-ok     Every untyped cap the kernel holds has a size between
;;                  seL4_MinUntypedBits (4) and seL4_MaxUntypedBits, and its
;;                  kernel-virtual base (capPtr) is aligned to its own size.
;;                  The kernel checks this at boot and retype preserves it; the
;;                  NotEnoughMemory check (which ignores alignment padding) is
;;                  sound only because of it.
;;
;;   mirrors        The allocator's idea of an untyped's watermark (a byte
;;                  offset from the untyped's base) equals the one the kernel
;;                  will start from on the next retype: (capFreeIndex << 4) if
;;                  the untyped has children, else 0, because a retype of an
;;                  untyped with no children resets it.
;;
;;   placed         An object really is at the physical address the allocator
;;                  intended: its offset from the untyped's kernel-virtual base
;;                  equals the target's offset from the untyped's physical base.
;;                  (pptr = paddr + PPTR_BASE_OFFSET on both sides, so the
;;                  offset cancels and need not be known.)
;;
;;   in-bounds      An object of 2^obj-size bytes at byte offset obj-offset lies
;;                  inside an untyped of 2^untyped-size bytes, with no
;;                  wrap-around.  Assumes untyped-size < 64.
;;
;;   aligned        x is a multiple of 2^bits.
;;
;;   no-overlap     An object starts at or after the end (byte offset) of the
;;                  previous allocation from the same untyped (unsigned).
;;
;;   dummy-before-target
;;                  A padding ("dummy") untyped retyped to move the watermark
;;                  ends at or before the offset of the object it makes room
;;                  for.
;; ===========================================================================

;; aligned: x mod 2^bits = 0.
(define-fun inv64.aligned ((x (_ BitVec 64)) (bits (_ BitVec 64))) Bool
  (= (bvand x (k64.mask bits)) (_ bv0 64)))

;; untyped-ok: 4 <= size <= max-bits and pptr aligned to 2^size.
(define-fun inv64.untyped-ok
    ((pptr (_ BitVec 64)) (size (_ BitVec 64)) (max-bits (_ BitVec 64))) Bool
  (and (bvule (_ bv4 64) size)
       (bvule size max-bits)
       (inv64.aligned pptr size)))

;; mirrors: allocator watermark = kernel's next starting watermark (bytes).
(define-fun inv64.mirrors
    ((alloc-watermark (_ BitVec 64)) (free-index (_ BitVec 64)) (has-children Bool)) Bool
  (= alloc-watermark
     (ite has-children (bvshl free-index (_ bv4 64)) (_ bv0 64))))

;; placed: obj-pptr - cap-pptr = target-paddr - base-paddr.
(define-fun inv64.placed
    ((obj-pptr (_ BitVec 64)) (cap-pptr (_ BitVec 64))
     (base-paddr (_ BitVec 64)) (target-paddr (_ BitVec 64))) Bool
  (= (bvsub obj-pptr cap-pptr) (bvsub target-paddr base-paddr)))

;; in-bounds: obj-size <= untyped-size and
;;            obj-offset <= 2^untyped-size - 2^obj-size.
(define-fun inv64.in-bounds
    ((obj-offset (_ BitVec 64)) (obj-size (_ BitVec 64)) (untyped-size (_ BitVec 64))) Bool
  (and (bvule obj-size untyped-size)
       (bvule obj-offset (bvsub (k64.bit untyped-size) (k64.bit obj-size)))))

;; no-overlap: obj-offset >= prev-end (unsigned).
(define-fun inv64.no-overlap ((prev-end (_ BitVec 64)) (obj-offset (_ BitVec 64))) Bool
  (bvuge obj-offset prev-end))

;; dummy-before-target: dummy-end <= target-offset (unsigned).
(define-fun inv64.dummy-before-target ((dummy-end (_ BitVec 64)) (target-offset (_ BitVec 64))) Bool
  (bvule dummy-end target-offset))

;; ===========================================================================
;; The retype seen from the untyped's base ("offset form")
;; ===========================================================================
;;
;; For an untyped the kernel can hold (inv64.untyped-ok: capPtr aligned to its
;; own size, size at most seL4_MaxUntypedBits < 64), Untyped_Retype does not
;; depend on where the untyped is.  Measured in bytes from capPtr, the
;; watermark, the memory check and the first new object are the same for every
;; capPtr and every kernel window: aligning capPtr + w to 2^o equals capPtr plus
;; w aligned to 2^o, because capPtr is a multiple of 2^o whenever the object
;; fits at all (o <= capBlockSize).  This is the fact an allocator needs: it can
;; track offsets from the untyped's physical base (paddr = capPtr - offset of the
;; window) and predict the kernel exactly.  Aligning the physical address
;; instead is not the same whenever the window's offset is not a multiple of
;; 2^o: that is the reported bug.
;;
;; The definitions below are that view, written from the kernel's steps 5-9
;; again.  Their claim, inv64.offset-form, is proved for every capPtr and every
;; seL4_MaxUntypedBits < 64 (hence every window) by `untyped verify`
;; (proofs/any-64/kernel/model-spec.smt2) and by specs/tests.  The allocator
;; obligations use these definitions in place of k64.retype-*.
;; Arguments: as k64.retype-*, without cap-pptr.

;; The watermark the retype starts from, in bytes from the base (step 5: 0
;; after a reset).
(define-fun inv64.offset-watermark
    ((free-index (_ BitVec 64)) (has-children Bool)) (_ BitVec 64)
  (bvshl (k64.effective-free-index free-index has-children) (_ bv4 64)))

;; Step 6 in exact arithmetic: count objects of 2^object-size fit between the
;; watermark aligned up to 2^object-size and the end of the untyped.
(define-fun inv64.offset-fits
    ((block-size (_ BitVec 64)) (free-index (_ BitVec 64)) (has-children Bool)
     (object-size (_ BitVec 64)) (count (_ BitVec 64))) Bool
  (let ((used (bvshl count object-size))
        (start (k64.align-up (inv64.offset-watermark free-index has-children) object-size)))
    (and (bvule object-size block-size)
         (= (bvlshr used object-size) count)
         (bvule used (k64.bit block-size))
         (bvule start (bvsub (k64.bit block-size) used)))))

;; The error code of k64.retype-error, with the memory check in offset form.
(define-fun inv64.offset-retype-error
    ((block-size (_ BitVec 64)) (free-index (_ BitVec 64))
     (is-device Bool) (has-children Bool) (type-valid Bool)
     (obj-class (_ BitVec 64)) (fixed-size (_ BitVec 64)) (device-ok Bool)
     (user-size (_ BitVec 64)) (count (_ BitVec 64)) (max-untyped-bits (_ BitVec 64))
     (slot-bits (_ BitVec 64)) (min-sc-bits (_ BitVec 64))) (_ BitVec 64)
  (let ((object-size (k64.object-size obj-class fixed-size user-size slot-bits)))
    (ite (not type-valid)
         (_ bv1 64)
    (ite (or (bvuge user-size (_ bv64 64))
             (bvugt object-size max-untyped-bits))
         (_ bv2 64)
    (ite (or (and (= obj-class (_ bv1 64)) (= user-size (_ bv0 64)))
             (and (= obj-class (_ bv0 64)) (bvult user-size (_ bv4 64)))
             (and (= obj-class (_ bv2 64)) (bvult user-size min-sc-bits)))
         (_ bv3 64)
    (ite (or (bvult count (_ bv1 64)) (bvugt count (_ bv256 64)))
         (_ bv4 64)
    (ite (not (inv64.offset-fits block-size free-index has-children object-size count))
         (_ bv5 64)
    (ite (and is-device (not device-ok))
         (_ bv6 64)
         (_ bv0 64)))))))))

;; Step 8: the first new object's offset from the base.
(define-fun inv64.offset-retype-start
    ((free-index (_ BitVec 64)) (has-children Bool) (object-size (_ BitVec 64))) (_ BitVec 64)
  (k64.align-up (inv64.offset-watermark free-index has-children) object-size))

;; Step 9: the offset just past the last new object; the new capFreeIndex is
;; this >> 4.
(define-fun inv64.offset-retype-end
    ((free-index (_ BitVec 64)) (has-children Bool) (object-size (_ BitVec 64)) (count (_ BitVec 64))) (_ BitVec 64)
  (bvadd (inv64.offset-retype-start free-index has-children object-size)
         (bvshl count object-size)))

;; The claim: for an untyped the kernel can hold, whose capFreeIndex lies
;; inside it, the offset form is the kernel's retype.
(define-fun inv64.offset-form
    ((cap-pptr (_ BitVec 64)) (block-size (_ BitVec 64)) (free-index (_ BitVec 64))
     (is-device Bool) (has-children Bool) (type-valid Bool)
     (obj-class (_ BitVec 64)) (fixed-size (_ BitVec 64)) (device-ok Bool)
     (user-size (_ BitVec 64)) (count (_ BitVec 64)) (max-untyped-bits (_ BitVec 64))
     (slot-bits (_ BitVec 64)) (min-sc-bits (_ BitVec 64))) Bool
  (let ((object-size (k64.object-size obj-class fixed-size user-size slot-bits))
        (error (k64.retype-error cap-pptr block-size free-index is-device has-children type-valid
                                  obj-class fixed-size device-ok user-size count max-untyped-bits
                                  slot-bits min-sc-bits)))
    (=> (and (inv64.untyped-ok cap-pptr block-size max-untyped-bits)
             (bvult max-untyped-bits (_ bv64 64))
             (bvule (bvshl free-index (_ bv4 64)) (k64.bit block-size)))
        (and (= error (inv64.offset-retype-error block-size free-index is-device has-children type-valid
                                                   obj-class fixed-size device-ok user-size count
                                                   max-untyped-bits slot-bits min-sc-bits))
             (=> (= error (_ bv0 64))
                 (and (= (k64.retype-aligned-free-ref cap-pptr block-size free-index is-device has-children
                                                       type-valid obj-class fixed-size device-ok user-size
                                                       count max-untyped-bits slot-bits min-sc-bits)
                         (bvadd cap-pptr (inv64.offset-retype-start free-index has-children object-size)))
                      (= (k64.retype-new-free-index cap-pptr block-size free-index is-device has-children
                                                     type-valid obj-class fixed-size device-ok user-size
                                                     count max-untyped-bits slot-bits min-sc-bits)
                         (bvlshr (inv64.offset-retype-end free-index has-children object-size count) (_ bv4 64)))))))))
