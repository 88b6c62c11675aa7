/*
 * The executor: runs one placement request of the allocator core (untyped_alloc.h) to the
 * end, making each seL4 call the core asks for through rt_ops and confirming the calls that
 * succeeded. It decides nothing itself: every retype's type, size, count and hold group come
 * from the core; the kernel's answer is the judge.
 */
#include "rt.h"

void rt_place(rt_untyped_t *u, const rt_ops_t *ops, const rt_request_t *r, word_t dest_slot,
              int strategy, rt_result_t *out) {
    untyped_alloc_step_t s;
    out->core_error = 0;
    out->kernel_error = 0;
    out->paddr = 0;
    out->retypes = 0;
    out->deletes = 0;
    if (u->broken) { out->kernel_error = ~(word_t)0; return; }
    /* Bounded: each dummy retype advances the watermark by at least 16 bytes (obligation
     * `progress`), but a failing kernel call must not loop either. */
    for (word_t guard = 0; guard < 100000; guard++) {
        word_t kind = strategy == RT_ABSOLUTE
            ? untyped_alloc_next_step_absolute(u->st.w, r->size_bits, r->count, r->device_ok,
                                               r->phys_align, r->has_target, r->target,
                                               u->hold_slots, s.w)
            : untyped_alloc_next_step(u->st.w, r->size_bits, r->count, r->device_ok,
                                      r->phys_align, r->has_target, r->target, u->hold_slots, s.w);
        word_t n = s.w[UNTYPED_ALLOC_STEP_COUNT];
        word_t group = u->hold[s.w[UNTYPED_ALLOC_STEP_HOLD] & 1];
        word_t err = 0;
        if (kind == UNTYPED_ALLOC_FAIL) {
            out->core_error = s.w[UNTYPED_ALLOC_STEP_ERROR];
            return;
        } else if (kind == UNTYPED_ALLOC_DELETE_HOLD) {
            for (word_t j = 0; j < n && !err; j++) {
                err = ops->delete_slot(ops->ctx, group + j);
                out->deletes++;
            }
        } else if (kind == UNTYPED_ALLOC_RETYPE_DUMMIES) {
            err = ops->retype(ops->ctx, u->index, 0 /* seL4_UntypedObject */,
                              s.w[UNTYPED_ALLOC_STEP_SIZE_BITS], group, n);
            out->retypes++;
        } else {
            err = ops->retype(ops->ctx, u->index, r->type_number, r->user_size, dest_slot, n);
            out->retypes++;
        }
        if (err) {
            out->kernel_error = err;
            u->broken = true;
            return;
        }
        untyped_alloc_confirm(u->st.w, s.w);
        if (kind == UNTYPED_ALLOC_RETYPE_OBJECT) {
            out->paddr = s.w[UNTYPED_ALLOC_STEP_PADDR];
            return;
        }
    }
    out->core_error = UNTYPED_ALLOC_ERR_CANNOT_PAD;
}
