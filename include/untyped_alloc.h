/*
 * untyped_alloc.h -- place seL4 kernel objects at chosen physical addresses.
 *
 * The C interface of the UntypedCore allocator (Sources/UntypedCore, compiled with
 * Embedded Swift; see embedded/build.sh for the object files and flags). It works on one
 * untyped capability at a time and never calls the kernel itself: it tells the root task
 * which seL4 call to make next, and the root task confirms each call that succeeded.
 *
 * To put an object at a physical address inside an untyped, the watermark of the untyped
 * has to be moved up to that address first. The allocator does this with "dummy" untypeds
 * (retyped, then kept or deleted), computing alignment on the offset from the untyped's base
 * -- which is what the kernel does on every architecture, whatever PPTR_BASE_OFFSET is.
 * Dummies alternate between two "hold groups" of CSpace slots: a group is emptied
 * (CNode_Delete) before it is reused, while the other one keeps the untyped from being
 * reset. The allocator never places an object anywhere but where it was asked: if it
 * cannot, the step is UNTYPED_ALLOC_FAIL with an error code, and nothing was created.
 *
 * No allocation, no global state, reentrant; plain C99 (stdint.h, stddef.h, stdbool.h).
 *
 * Typical root-task loop, one request (here a 2 MiB device frame on x86_64):
 *
 *     untyped_alloc_state_t ut;
 *     untyped_alloc_step_t st;
 *     const seL4_UntypedDesc *d = &bi->untypedList[i];      // the cap is bi->untyped.start + i
 *     seL4_CPtr hold[2] = { HOLD0, HOLD1 };                  // 2 x HOLD_SLOTS free slots
 *     if (!untyped_alloc_init(ut.w, d->paddr, d->sizeBits, d->isDevice)) fail();
 *
 *     for (;;) {
 *         untyped_word_t kind = untyped_alloc_next_step(ut.w, 21, 1, true, true, true,
 *                                                       0xe0000000000, HOLD_SLOTS, st.w);
 *         untyped_word_t n = st.w[UNTYPED_ALLOC_STEP_COUNT];
 *         seL4_CPtr g = hold[st.w[UNTYPED_ALLOC_STEP_HOLD]];
 *         seL4_Error err = seL4_NoError;
 *         if (kind == UNTYPED_ALLOC_FAIL) {
 *             fail_with(st.w[UNTYPED_ALLOC_STEP_ERROR]);     // an untyped_alloc_error
 *             break;
 *         } else if (kind == UNTYPED_ALLOC_DELETE_HOLD) {
 *             for (untyped_word_t j = 0; j < n && !err; j++)
 *                 err = seL4_CNode_Delete(seL4_CapInitThreadCNode, g + j, seL4_WordBits);
 *         } else if (kind == UNTYPED_ALLOC_RETYPE_DUMMIES) {
 *             err = seL4_Untyped_Retype(cap, seL4_UntypedObject, st.w[UNTYPED_ALLOC_STEP_SIZE_BITS],
 *                                       seL4_CapInitThreadCNode, 0, 0, g, n);
 *         } else {                                           // UNTYPED_ALLOC_RETYPE_OBJECT
 *             err = seL4_Untyped_Retype(cap, seL4_X86_LargePageObject, 0,
 *                                       seL4_CapInitThreadCNode, 0, 0, dest, n);
 *             // the frame is at st.w[UNTYPED_ALLOC_STEP_PADDR] == 0xe0000000000
 *         }
 *         if (err) fail();            // the state no longer matches the kernel: stop
 *         untyped_alloc_confirm(ut.w, st.w);
 *         if (kind == UNTYPED_ALLOC_RETYPE_OBJECT) break;
 *     }
 *
 * Rules the state relies on:
 *  - One state per untyped capability, used for every object created in that untyped, in
 *    the order the objects are requested; no other code retypes that untyped meanwhile.
 *  - Objects it placed stay alive, and so do the dummies in the hold groups until the
 *    allocator asks to delete them (the next requests reuse the groups). When you are done
 *    with the untyped you may delete the held dummies; do not use the state afterwards.
 *  - Confirm exactly the steps that succeeded, each once. A failed seL4 call leaves the
 *    state describing the situation before the call: stop using this untyped.
 *  - Each hold group needs max_dummies_per_retype contiguous free slots (the same budget
 *    for every request on this state), in a CNode the root task can address with depth
 *    seL4_WordBits. More slots per group means fewer Untyped_Retype calls (see below).
 */
#ifndef UNTYPED_ALLOC_H
#define UNTYPED_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A machine word: the same type as seL4_Word, uintptr_t and size_t on every seL4
 * architecture (32 bits on ia32, aarch32 and riscv32; 64 bits on x86_64, aarch64, riscv64).
 * All address arithmetic is done modulo 2^(word bits), like the kernel does. */
typedef uintptr_t untyped_word_t;

/* ---- Allocator state of one untyped ---------------------------------------------------
 * Written by untyped_alloc_init and untyped_alloc_confirm; treat as opaque. The layout is
 * given so that it can be logged or inspected; the root task must not modify it. */
#define UNTYPED_ALLOC_STATE_WORDS 8
typedef struct untyped_alloc_state {
    untyped_word_t w[UNTYPED_ALLOC_STATE_WORDS];
} untyped_alloc_state_t;

enum untyped_alloc_state_field {
    UNTYPED_ALLOC_STATE_PADDR = 0,         /* physical base (seL4_UntypedDesc.paddr) */
    UNTYPED_ALLOC_STATE_SIZE_BITS = 1,     /* log2 size in bytes */
    UNTYPED_ALLOC_STATE_IS_DEVICE = 2,     /* 1: device untyped, 0: normal memory */
    UNTYPED_ALLOC_STATE_WATERMARK = 3,     /* bytes from the base handed out (the kernel's
                                              freeIndex << 4), valid while the untyped has
                                              children; 2^size_bits after init */
    UNTYPED_ALLOC_STATE_LIVE_OBJECTS = 4,  /* objects placed so far */
    UNTYPED_ALLOC_STATE_HOLD0 = 5,         /* dummies held in hold group 0 */
    UNTYPED_ALLOC_STATE_HOLD1 = 6,         /* dummies held in hold group 1 */
    UNTYPED_ALLOC_STATE_NEXT_HOLD = 7      /* hold group the next dummy retype uses */
};

/* ---- One step: the seL4 call the root task makes next --------------------------------- */
#define UNTYPED_ALLOC_STEP_WORDS 6
typedef struct untyped_alloc_step {
    untyped_word_t w[UNTYPED_ALLOC_STEP_WORDS];
} untyped_alloc_step_t;

enum untyped_alloc_step_field {
    UNTYPED_ALLOC_STEP_KIND = 0,       /* an untyped_alloc_step_kind */
    UNTYPED_ALLOC_STEP_SIZE_BITS = 1,  /* log2 size of each object the retype creates: the
                                          requested size, or the dummies' untyped size */
    UNTYPED_ALLOC_STEP_COUNT = 2,      /* objects the retype creates (nodeWindow), or
                                          dummies to delete */
    UNTYPED_ALLOC_STEP_HOLD = 3,       /* hold group (0 or 1) of a dummy retype or delete */
    UNTYPED_ALLOC_STEP_PADDR = 4,      /* physical address of the first object the retype
                                          creates (consecutive objects follow at 2^size_bits) */
    UNTYPED_ALLOC_STEP_ERROR = 5       /* an untyped_alloc_error when the kind is FAIL, else 0 */
};

/* Step kinds (the numbering of StepKind in Sources/UntypedCore/Step.swift). */
enum untyped_alloc_step_kind {
    /* seL4_Untyped_Retype the requested object(s) now, COUNT of them into the caller's
     * destination slots: the first lands at PADDR. Confirm, then the request is done. */
    UNTYPED_ALLOC_RETYPE_OBJECT = 0,
    /* seL4_Untyped_Retype COUNT dummy untypeds (seL4_UntypedObject, size SIZE_BITS) into the
     * first COUNT slots of hold group HOLD, then confirm and ask again. */
    UNTYPED_ALLOC_RETYPE_DUMMIES = 1,
    /* seL4_CNode_Delete the COUNT dummies in the first COUNT slots of hold group HOLD,
     * then confirm and ask again. */
    UNTYPED_ALLOC_DELETE_HOLD = 2,
    /* The request cannot be met: ERROR says why (the other fields mean nothing). Nothing to
     * do, nothing to confirm; the state is unchanged and later requests may still succeed. */
    UNTYPED_ALLOC_FAIL = 3
};

/* Why a request fails, checked in this order (the numbering of PlacementError in
 * Sources/UntypedCore/Step.swift). */
enum untyped_alloc_error {
    UNTYPED_ALLOC_OK = 0,
    /* count or max_dummies_per_retype is outside 1..256 (the kernel's fan-out limit). */
    UNTYPED_ALLOC_ERR_BAD_COUNT = 1,
    /* The object is larger than the untyped, or smaller than 16 bytes (no seL4 object is). */
    UNTYPED_ALLOC_ERR_OBJECT_TOO_LARGE = 2,
    /* Device untyped, but device_allowed is false (only frames and untypeds may be created
     * from device memory). */
    UNTYPED_ALLOC_ERR_DEVICE_TYPE = 3,
    /* The target address is outside the untyped. */
    UNTYPED_ALLOC_ERR_TARGET_OUTSIDE = 4,
    /* needs_phys_align and the target is not aligned to 2^size_bits physically. */
    UNTYPED_ALLOC_ERR_TARGET_UNALIGNED = 5,
    /* The kernel cannot create the object there: the target's offset from the untyped's
     * base is not aligned to 2^size_bits (the kernel aligns kernel-virtual addresses; this
     * differs from physical alignment only for objects larger than ctz(PPTR_BASE_OFFSET)),
     * or, without a target, the next free place is not physically aligned although
     * needs_phys_align is set. */
    UNTYPED_ALLOC_ERR_KERNEL_MISALIGNED = 6,
    /* The target is below the watermark: that memory was already handed out. */
    UNTYPED_ALLOC_ERR_TARGET_BELOW_WATERMARK = 7,
    /* The object(s) do not fit between the target (or the watermark) and the untyped's end. */
    UNTYPED_ALLOC_ERR_NOT_ENOUGH_MEMORY = 8,
    /* The allocator's own postcondition on a dummy retype failed (it would not lie between
     * the watermark and the target). Proved unreachable (obligation `progress`); a root task
     * seeing it should stop and report a bug. */
    UNTYPED_ALLOC_ERR_CANNOT_PAD = 9
};

/* ---- Functions ------------------------------------------------------------------------- */

/*
 * Initialises `state` (UNTYPED_ALLOC_STATE_WORDS words) for a bootinfo untyped, from its
 * seL4_UntypedDesc fields: the kernel hands these over full and without children, so the
 * first retype resets them and starts at offset 0. `is_device` is 0 or 1 (any non-zero
 * value counts as device).
 *
 * Returns false, writing nothing, when size_bits is not a valid untyped size for this
 * word: 4 <= size_bits < 32 or 64.
 */
bool untyped_alloc_init(untyped_word_t *state, untyped_word_t paddr, uint8_t size_bits,
                        uint8_t is_device);

/*
 * Computes the next step of a placement request and writes it to `step`
 * (UNTYPED_ALLOC_STEP_WORDS words). Returns the step kind (step[UNTYPED_ALLOC_STEP_KIND]).
 * Does not modify the state: call it again with the same request after confirming each
 * step, until it returns UNTYPED_ALLOC_RETYPE_OBJECT (confirm that too) or UNTYPED_ALLOC_FAIL.
 *
 * The request:
 *   size_bits      log2 size of the object as the kernel computes it (getObjectSize: e.g.
 *                  12 for a 4 KiB frame, 21 for a 2 MiB x86_64/aarch64 frame, slot bits +
 *                  radix for a CNode, the size argument for an Untyped).
 *   count          number of equal objects in one retype, 1..256; with a target the first
 *                  one is at the target, the others follow contiguously.
 *   device_allowed the type may be created from device memory (frames and untypeds).
 *   needs_phys_align  the object must be aligned to its size physically (frames).
 *   has_target     the object must be at physical address `target`; otherwise it goes to
 *                  the next free, suitably aligned place (no dummies needed).
 *   target         the required physical address (ignored without has_target).
 *   max_dummies_per_retype  slots in each hold group, 1..256: the most dummies one retype
 *                  may create. 1 gives the fewest slots, larger values fewer retypes (the
 *                  reported x86_64 case: 4 retypes with 1, a single retype with 27 or more).
 */
untyped_word_t untyped_alloc_next_step(const untyped_word_t *state, untyped_word_t size_bits,
                                       untyped_word_t count, bool device_allowed,
                                       bool needs_phys_align, bool has_target,
                                       untyped_word_t target,
                                       untyped_word_t max_dummies_per_retype,
                                       untyped_word_t *step);

/*
 * The same as untyped_alloc_next_step, but aligning the watermark on physical addresses
 * instead of offsets from the untyped's base (the rule behind the reported bug). On kernels
 * whose PPTR_BASE_OFFSET is not aligned to the object, the kernel then puts the object
 * somewhere else than the returned PADDR (x86_64: a 2 MiB frame wanted at 0xe0000000000 in
 * the device untyped 0x8000000000/46 lands at 0xe8000000000). Only for demonstrating this on
 * a real kernel (roottask/, scripts/real-kernel); never for placing objects.
 */
untyped_word_t untyped_alloc_next_step_absolute(const untyped_word_t *state, untyped_word_t size_bits,
                                                untyped_word_t count, bool device_allowed,
                                                bool needs_phys_align, bool has_target,
                                                untyped_word_t target,
                                                untyped_word_t max_dummies_per_retype,
                                                untyped_word_t *step);

/*
 * Tells the allocator that the seL4 call(s) of `step` (as written by
 * untyped_alloc_next_step for this state) succeeded, and updates `state`. Do not confirm
 * a FAIL step.
 */
void untyped_alloc_confirm(untyped_word_t *state, const untyped_word_t *step);

#ifdef __cplusplus
}
#endif

#endif /* UNTYPED_ALLOC_H */
