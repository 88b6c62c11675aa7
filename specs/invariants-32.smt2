;; ===========================================================================
;; invariants-32.smt2 -- invariants an untyped allocator must keep, 32-bit words
;; ===========================================================================
;;
;; Load after kernel-32.smt2 (uses its k32. definitions).  Like that file it
;; contains no set-logic and no check-sat; all arithmetic is modulo 2^32.
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
;;                  wrap-around.  Assumes untyped-size < 32.
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
(define-fun inv32.aligned ((x (_ BitVec 32)) (bits (_ BitVec 32))) Bool
  (= (bvand x (k32.mask bits)) (_ bv0 32)))

;; untyped-ok: 4 <= size <= max-bits and pptr aligned to 2^size.
(define-fun inv32.untyped-ok
    ((pptr (_ BitVec 32)) (size (_ BitVec 32)) (max-bits (_ BitVec 32))) Bool
  (and (bvule (_ bv4 32) size)
       (bvule size max-bits)
       (inv32.aligned pptr size)))

;; mirrors: allocator watermark = kernel's next starting watermark (bytes).
(define-fun inv32.mirrors
    ((alloc-watermark (_ BitVec 32)) (free-index (_ BitVec 32)) (has-children Bool)) Bool
  (= alloc-watermark
     (ite has-children (bvshl free-index (_ bv4 32)) (_ bv0 32))))

;; placed: obj-pptr - cap-pptr = target-paddr - base-paddr.
(define-fun inv32.placed
    ((obj-pptr (_ BitVec 32)) (cap-pptr (_ BitVec 32))
     (base-paddr (_ BitVec 32)) (target-paddr (_ BitVec 32))) Bool
  (= (bvsub obj-pptr cap-pptr) (bvsub target-paddr base-paddr)))

;; in-bounds: obj-size <= untyped-size and
;;            obj-offset <= 2^untyped-size - 2^obj-size.
(define-fun inv32.in-bounds
    ((obj-offset (_ BitVec 32)) (obj-size (_ BitVec 32)) (untyped-size (_ BitVec 32))) Bool
  (and (bvule obj-size untyped-size)
       (bvule obj-offset (bvsub (k32.bit untyped-size) (k32.bit obj-size)))))

;; no-overlap: obj-offset >= prev-end (unsigned).
(define-fun inv32.no-overlap ((prev-end (_ BitVec 32)) (obj-offset (_ BitVec 32))) Bool
  (bvuge obj-offset prev-end))

;; dummy-before-target: dummy-end <= target-offset (unsigned).
(define-fun inv32.dummy-before-target ((dummy-end (_ BitVec 32)) (target-offset (_ BitVec 32))) Bool
  (bvule dummy-end target-offset))
