;; ===========================================================================
;; kernel-32.smt2 -- seL4 untyped-memory semantics, 32-bit words
;; ===========================================================================
;;
;; What this is
;;   A hand-written SMT-LIB2 (QF_BV) model of the parts of the seL4 kernel that
;;   decide where Untyped_Retype places objects and how the kernel cuts memory
;;   into the untyped capabilities it hands to the root task at boot.  Every
;;   value is a 32-bit machine word, and all arithmetic wraps modulo 2^32,
;;   exactly as the kernel's C does.  The companion file kernel-64.smt2 is the
;;   same model for 64-bit words, with the prefix k64. instead of k32.
;;
;; Kernel version
;;   seL4 16.0.0 (for untypeds identical to commit
;;   1326364bc9135d9445d936ebc01e38a402c1f4c6).  Functions referred to:
;;     src/object/untyped.c    decodeUntypedInvocation, invokeUntyped_Retype
;;     src/kernel/boot.c       create_untypeds_for_region
;;     include/object/structures_64.bf, structures_32.bf   (untyped_cap)
;;   "Step n" refers to the numbered steps of Untyped_Retype in the project's
;;   notes on kernel untypeds (kernel-untyped.md, section 2); section 3 there
;;   is the boot loop and section 1 the capability layout.
;;
;; How to check it
;;   A reader who knows seL4 and SMT-LIB should be able to hold each definition
;;   next to the named kernel function and compare them line by line.  Only
;;   define-fun is used: no recursion, no quantifiers, no arrays; sorts are
;;   Bool and (_ BitVec 32) only.  The file contains no set-logic and no
;;   check-sat because it is meant to be included into larger queries.
;;
;; SMT-LIB conventions relied on
;;   (bvshl x n) and (bvlshr x n) are 0 when n >= 32.  Hence k32.bit gives 0
;;   and k32.mask gives all ones for n >= 32; in C these are undefined, but the
;;   kernel never evaluates them there on the paths modelled below.
;;
;; Names and argument orders are a fixed interface: an external verifier
;; proves an implementation equal to these definitions.  Definitions marked
;; "helper" are auxiliary and used only to build the others.
;; ===========================================================================

;; ---------------------------------------------------------------------------
;; Word helpers (include/util.h: BIT, MASK; untyped.c: alignUp)
;; ---------------------------------------------------------------------------

;; BIT(n) = 1 << n.
(define-fun k32.bit ((n (_ BitVec 32))) (_ BitVec 32)
  (bvshl (_ bv1 32) n))

;; MASK(n) = BIT(n) - 1: the low n bits set.
(define-fun k32.mask ((n (_ BitVec 32))) (_ BitVec 32)
  (bvsub (k32.bit n) (_ bv1 32)))

;; alignUp(x, bits) in untyped.c: round x up to a multiple of 2^bits (wraps).
(define-fun k32.align-up ((x (_ BitVec 32)) (bits (_ BitVec 32))) (_ BitVec 32)
  (bvand (bvadd x (k32.mask bits)) (bvnot (k32.mask bits))))

;; helper: 1 if b holds, else 0.  Used to count in k32.floor-log2 / k32.ctz.
(define-fun k32.b2w ((b Bool)) (_ BitVec 32)
  (ite b (_ bv1 32) (_ bv0 32)))

;; helper: floor(log2 x), the index of the highest set bit; all ones for x = 0.
;; The kernel computes it as wordBits - 1 - clzl(x).
;; Written as a count: x >= 2^n holds exactly for n = 0, 1, ..., floor(log2 x),
;; so floor(log2 x) = (number of n in 0..31 with x >= 2^n) - 1.
;; For x = 0 no n qualifies and the result is 0 - 1 = all ones.
(define-fun k32.floor-log2 ((x (_ BitVec 32))) (_ BitVec 32)
  (bvsub
    (bvadd
      (k32.b2w (bvuge x (k32.bit (_ bv0 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv1 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv2 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv3 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv4 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv5 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv6 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv7 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv8 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv9 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv10 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv11 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv12 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv13 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv14 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv15 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv16 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv17 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv18 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv19 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv20 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv21 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv22 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv23 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv24 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv25 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv26 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv27 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv28 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv29 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv30 32))))
      (k32.b2w (bvuge x (k32.bit (_ bv31 32)))))
    (_ bv1 32)))

;; helper: ctz(x), the number of trailing zero bits; 32 for x = 0 (ctzl).
;; Written as a count: the low n bits of x are all zero exactly for
;; n = 1, 2, ..., ctz(x), so ctz(x) = number of n in 1..32 with x & MASK(n) = 0.
;; (k32.mask (_ bv32 32) is all ones, so the last term holds only for x = 0.)
(define-fun k32.ctz ((x (_ BitVec 32))) (_ BitVec 32)
  (bvadd
    (k32.b2w (= (bvand x (k32.mask (_ bv1 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv2 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv3 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv4 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv5 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv6 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv7 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv8 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv9 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv10 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv11 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv12 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv13 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv14 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv15 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv16 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv17 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv18 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv19 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv20 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv21 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv22 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv23 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv24 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv25 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv26 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv27 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv28 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv29 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv30 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv31 32))) (_ bv0 32)))
    (k32.b2w (= (bvand x (k32.mask (_ bv32 32))) (_ bv0 32)))))

;; ---------------------------------------------------------------------------
;; Object sizes (getObjectSize; reference section 2 "objectSize" and section 6)
;; ---------------------------------------------------------------------------

;; obj-class: 0 = Untyped, 1 = CNode (CapTable), 2 = SchedContext (MCS),
;;            3 = any type of fixed size (TCB, Endpoint, frames, ...).
;; Untyped and SchedContext: the user-supplied size.  CNode: slotBits + user
;; size (2^user-size slots of 2^slot-bits bytes).  Fixed types: their constant.
;; Callers only pass 0..3; any other class is treated like 3.
(define-fun k32.object-size
    ((obj-class (_ BitVec 32)) (fixed-size (_ BitVec 32))
     (user-size (_ BitVec 32)) (slot-bits (_ BitVec 32))) (_ BitVec 32)
  (ite (or (= obj-class (_ bv0 32)) (= obj-class (_ bv2 32)))
       user-size
       (ite (= obj-class (_ bv1 32))
            (bvadd slot-bits user-size)
            fixed-size)))

;; ---------------------------------------------------------------------------
;; Untyped_Retype (untyped.c: decodeUntypedInvocation, invokeUntyped_Retype)
;; ---------------------------------------------------------------------------
;;
;; Every retype function takes the same 14 arguments, in this order:
;;   cap-pptr          capPtr of the untyped cap (kernel-virtual base)
;;   block-size        capBlockSize (log2 of the untyped's size in bytes)
;;   free-index        capFreeIndex as stored in the cap (16-byte units)
;;   is-device         capIsDevice
;;   has-children      the untyped's slot has children in the derivation tree
;;                     (ensureNoChildren fails)
;;   type-valid        the requested type number is < seL4_ObjectTypeCount
;;   obj-class         see k32.object-size
;;   fixed-size        object size of a fixed-size type (ignored otherwise)
;;   device-ok         the type is a frame type (Arch_isFrameType) or Untyped
;;   user-size         userObjSize (message register 1)
;;   count             nodeWindow, the number of objects requested
;;   max-untyped-bits  seL4_MaxUntypedBits of the configuration
;;   slot-bits         seL4_SlotBits (log2 of a CNode slot)
;;   min-sc-bits       seL4_MinSchedContextBits (7)
;;
;; The destination-CNode checks of step 4 other than the nodeWindow range
;; (lookup, offset range, window overrun, empty slots) are outside this model.

;; helper -- step 5, reset decision: the free index the retype works from.
;; No children: 0 (the untyped will be reset); otherwise the stored capFreeIndex.
(define-fun k32.effective-free-index
    ((free-index (_ BitVec 32)) (has-children Bool)) (_ BitVec 32)
  (ite has-children free-index (_ bv0 32)))

;; helper -- step 6: freeRef = capPtr + (freeIndex << 4), i.e. GET_FREE_REF with
;; FREE_INDEX_TO_OFFSET (seL4_MinUntypedBits = 4), using the step-5 index.
(define-fun k32.free-ref-of
    ((cap-pptr (_ BitVec 32)) (free-index (_ BitVec 32)) (has-children Bool)) (_ BitVec 32)
  (bvadd cap-pptr
         (bvshl (k32.effective-free-index free-index has-children) (_ bv4 32))))

;; Step 5: reset happens exactly when the untyped has no children.
(define-fun k32.retype-reset
    ((cap-pptr (_ BitVec 32)) (block-size (_ BitVec 32)) (free-index (_ BitVec 32))
     (is-device Bool) (has-children Bool) (type-valid Bool)
     (obj-class (_ BitVec 32)) (fixed-size (_ BitVec 32)) (device-ok Bool)
     (user-size (_ BitVec 32)) (count (_ BitVec 32)) (max-untyped-bits (_ BitVec 32))
     (slot-bits (_ BitVec 32)) (min-sc-bits (_ BitVec 32))) Bool
  (not has-children))

;; Step 6: freeRef.
(define-fun k32.retype-free-ref
    ((cap-pptr (_ BitVec 32)) (block-size (_ BitVec 32)) (free-index (_ BitVec 32))
     (is-device Bool) (has-children Bool) (type-valid Bool)
     (obj-class (_ BitVec 32)) (fixed-size (_ BitVec 32)) (device-ok Bool)
     (user-size (_ BitVec 32)) (count (_ BitVec 32)) (max-untyped-bits (_ BitVec 32))
     (slot-bits (_ BitVec 32)) (min-sc-bits (_ BitVec 32))) (_ BitVec 32)
  (k32.free-ref-of cap-pptr free-index has-children))

;; Error code of decodeUntypedInvocation; the first failing check wins.
;;   0  no error
;;   1  step 1: type out of range                  -> InvalidArgument(0)
;;   2  step 2: userObjSize >= wordBits, or
;;              objectSize > seL4_MaxUntypedBits   -> RangeError(0, MaxUntypedBits)
;;   3  step 3: CNode with size 0, Untyped with size < seL4_MinUntypedBits (4),
;;              SchedContext with size < seL4_MinSchedContextBits
;;                                                 -> InvalidArgument(1)
;;   4  step 4: nodeWindow < 1 or > CONFIG_RETYPE_FAN_OUT_LIMIT (256)
;;                                                 -> RangeError(1, 256)
;;   5  step 6: (untypedFreeBytes >> objectSize) < nodeWindow, where
;;              untypedFreeBytes = BIT(capBlockSize) - (freeIndex << 4) and
;;              freeIndex is the step-5 index      -> NotEnoughMemory
;;   6  step 7: device untyped and the type is neither a frame nor Untyped
;;                                                 -> InvalidArgument(1)
;;              (checked after the memory check)
(define-fun k32.retype-error
    ((cap-pptr (_ BitVec 32)) (block-size (_ BitVec 32)) (free-index (_ BitVec 32))
     (is-device Bool) (has-children Bool) (type-valid Bool)
     (obj-class (_ BitVec 32)) (fixed-size (_ BitVec 32)) (device-ok Bool)
     (user-size (_ BitVec 32)) (count (_ BitVec 32)) (max-untyped-bits (_ BitVec 32))
     (slot-bits (_ BitVec 32)) (min-sc-bits (_ BitVec 32))) (_ BitVec 32)
  (let ((object-size (k32.object-size obj-class fixed-size user-size slot-bits))
        (free-bytes (bvsub (k32.bit block-size)
                           (bvshl (k32.effective-free-index free-index has-children)
                                  (_ bv4 32)))))
    (ite (not type-valid)
         (_ bv1 32)
    (ite (or (bvuge user-size (_ bv32 32))
             (bvugt object-size max-untyped-bits))
         (_ bv2 32)
    (ite (or (and (= obj-class (_ bv1 32)) (= user-size (_ bv0 32)))
             (and (= obj-class (_ bv0 32)) (bvult user-size (_ bv4 32)))
             (and (= obj-class (_ bv2 32)) (bvult user-size min-sc-bits)))
         (_ bv3 32)
    (ite (or (bvult count (_ bv1 32)) (bvugt count (_ bv256 32)))
         (_ bv4 32)
    (ite (bvult (bvlshr free-bytes object-size) count)
         (_ bv5 32)
    (ite (and is-device (not device-ok))
         (_ bv6 32)
         (_ bv0 32)))))))))

;; Step 8: alignedFreeRef = alignUp(freeRef, objectSize), computed on the
;; kernel-virtual address.  Object i is then at alignedFreeRef + (i << objectSize).
;; (Meaningful only when k32.retype-error is 0.)
(define-fun k32.retype-aligned-free-ref
    ((cap-pptr (_ BitVec 32)) (block-size (_ BitVec 32)) (free-index (_ BitVec 32))
     (is-device Bool) (has-children Bool) (type-valid Bool)
     (obj-class (_ BitVec 32)) (fixed-size (_ BitVec 32)) (device-ok Bool)
     (user-size (_ BitVec 32)) (count (_ BitVec 32)) (max-untyped-bits (_ BitVec 32))
     (slot-bits (_ BitVec 32)) (min-sc-bits (_ BitVec 32))) (_ BitVec 32)
  (k32.align-up (k32.free-ref-of cap-pptr free-index has-children)
                (k32.object-size obj-class fixed-size user-size slot-bits)))

;; Step 9 (invokeUntyped_Retype): the new capFreeIndex is
;; GET_FREE_INDEX(capPtr, alignedFreeRef + (nodeWindow << objectSize)),
;; i.e. (end - capPtr) >> 4, all modulo 2^32 (right even if end wraps to 0).
;; (Meaningful only when k32.retype-error is 0.)
(define-fun k32.retype-new-free-index
    ((cap-pptr (_ BitVec 32)) (block-size (_ BitVec 32)) (free-index (_ BitVec 32))
     (is-device Bool) (has-children Bool) (type-valid Bool)
     (obj-class (_ BitVec 32)) (fixed-size (_ BitVec 32)) (device-ok Bool)
     (user-size (_ BitVec 32)) (count (_ BitVec 32)) (max-untyped-bits (_ BitVec 32))
     (slot-bits (_ BitVec 32)) (min-sc-bits (_ BitVec 32))) (_ BitVec 32)
  (let ((object-size (k32.object-size obj-class fixed-size user-size slot-bits)))
  (let ((aligned-free-ref (k32.align-up (k32.free-ref-of cap-pptr free-index has-children)
                                        object-size)))
    (bvlshr (bvsub (bvadd aligned-free-ref (bvshl count object-size))
                   cap-pptr)
            (_ bv4 32)))))

;; ---------------------------------------------------------------------------
;; Boot: one iteration of the loop in create_untypeds_for_region (boot.c),
;; reference section 3.  start and end are kernel-virtual addresses; the
;; region may wrap (end < start).  The caller guarantees start != end.
;; ---------------------------------------------------------------------------

;; size = floor(log2((end - start) mod 2^32));
;; then at most seL4_MaxUntypedBits (max-bits);
;; then, unless start is 0 (aligned to everything), at most ctz(start).
(define-fun k32.boot-cut-size
    ((start (_ BitVec 32)) (end (_ BitVec 32)) (max-bits (_ BitVec 32))) (_ BitVec 32)
  (let ((by-length (k32.floor-log2 (bvsub end start))))
  (let ((by-max (ite (bvugt by-length max-bits) max-bits by-length)))
    (ite (and (not (= start (_ bv0 32)))
              (bvugt by-max (k32.ctz start)))
         (k32.ctz start)
         by-max))))

;; An untyped is emitted for this piece only if size >= seL4_MinUntypedBits (4).
(define-fun k32.boot-cut-emits
    ((start (_ BitVec 32)) (end (_ BitVec 32)) (max-bits (_ BitVec 32))) Bool
  (bvuge (k32.boot-cut-size start end max-bits) (_ bv4 32)))

;; The loop then continues at start + BIT(size) (wrapping), whether or not an
;; untyped was emitted.
(define-fun k32.boot-cut-next
    ((start (_ BitVec 32)) (end (_ BitVec 32)) (max-bits (_ BitVec 32))) (_ BitVec 32)
  (bvadd start (k32.bit (k32.boot-cut-size start end max-bits))))

;; ---------------------------------------------------------------------------
;; capPtr storage in the untyped_cap bitfield (reference section 1;
;; include/object/structures_64.bf and structures_32.bf): the value the kernel
;; reads back (cap_untyped_cap_get_capPtr) after storing pointer p.
;; ---------------------------------------------------------------------------
;;
;; kind 0: only the low `bits` bits are kept and read back sign-extended from
;;         bit bits-1 (x86_64 and aarch64 without hypervisor: bits = 48;
;;         riscv64 Sv39: bits = 39).
;; kind 1: only the low `bits` bits are kept, read back zero-extended
;;         (aarch64 with hypervisor: bits = 48).
;; kind 2: 32-bit architectures: the top 28 bits are stored, so the low 4 bits
;;         read back as zero; `bits` is ignored.  Any other kind behaves as 2.
;; Sign extension is written as shift left by 32 - bits, then arithmetic shift
;; right by the same amount (bits is expected in 1..32).
(define-fun k32.capptr-load
    ((p (_ BitVec 32)) (kind (_ BitVec 32)) (bits (_ BitVec 32))) (_ BitVec 32)
  (ite (= kind (_ bv0 32))
       (bvashr (bvshl p (bvsub (_ bv32 32) bits)) (bvsub (_ bv32 32) bits))
  (ite (= kind (_ bv1 32))
       (bvand p (k32.mask bits))
       (bvand p (bvnot (_ bv15 32))))))
