/*
 * rt.h -- the example root task's internal interface.
 *
 * rt_sel4.c is the only file that includes libsel4: it turns the few seL4 calls the root task
 * needs into plain functions over words. place.c drives the allocator core (untyped_alloc.h)
 * through the function pointers in struct rt_ops and never sees seL4's API. main.c reads the
 * bootinfo (through rt_sel4.c), prints it, and runs the reported case and a random campaign.
 */
#ifndef RT_H
#define RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "untyped_alloc.h"

typedef uintptr_t word_t;

/* ---- output (rt_print.c) ---- */
void rt_putc(char c);                         /* seL4_DebugPutChar */
void rt_printf(const char *fmt, ...);         /* %s %c %u (word) %x (word, 0x prefix) %d (int) */

/* ---- seL4 layer (rt_sel4.c) ---- */
/* An object type of this kernel, in the model's naming (see `untyped archs`). */
typedef struct rt_type {
    const char *name;      /* model name: "untyped", "tcb", "4k", "largepage", ... */
    word_t number;         /* seL4_ObjectType value of this kernel */
    word_t fixed_bits;     /* object size in bits for fixed-size types, 0 for untyped/cnode */
    bool is_frame;         /* a frame: Page_GetAddress works, physically aligned */
    bool device_ok;        /* may be retyped from device memory */
} rt_type_t;

extern const rt_type_t rt_types[];
extern const word_t rt_num_types;
extern const char rt_arch_name[];             /* model window name: "x86_64", "aarch64-pa44", ... */
/* The address of the reported case (a large frame in a device untyped), 0 where there is no
 * known case: then the middle of the largest device untyped is used. */
extern const word_t rt_reported_target;
word_t rt_slot_bits(void);                    /* seL4_SlotBits */
word_t rt_max_untyped_bits(void);             /* seL4_MaxUntypedBits */

/* The boot information, copied into plain words. */
typedef struct rt_untyped_desc { word_t paddr; word_t size_bits; bool is_device; } rt_untyped_desc_t;
typedef struct rt_boot {
    word_t first_untyped_cap, num_untypeds;
    word_t first_free_slot, end_free_slot;    /* [first, end) */
    word_t cnode_size_bits;
    rt_untyped_desc_t ut[256];
} rt_boot_t;
void rt_read_bootinfo(void *bootinfo, rt_boot_t *out);

/* Each returns the seL4_Error (0 = seL4_NoError). Destinations are slots of the root CNode. */
word_t rt_retype(word_t untyped_cap, word_t type_number, word_t user_size, word_t dest_slot, word_t count);
word_t rt_delete(word_t slot);
word_t rt_frame_paddr(word_t frame_slot, word_t *paddr);
void rt_setup_exit(word_t free_slot);         /* x86: IOPort cap for isa-debug-exit */
void rt_exit(int code);                       /* ends QEMU where the root task can; else halts */

/* ---- placement executor over the core (place.c) ---- */
/* How the executor reaches the kernel: the seL4 calls, with the executor's bookkeeping. */
typedef struct rt_ops {
    word_t (*retype)(void *ctx, word_t ut_index, word_t type_number, word_t user_size,
                     word_t dest_slot, word_t count);
    word_t (*delete_slot)(void *ctx, word_t slot);
    void *ctx;
} rt_ops_t;

/* One bootinfo untyped under the allocator: the core's state and two hold groups. */
typedef struct rt_untyped {
    untyped_alloc_state_t st;
    word_t index;              /* bootinfo index */
    word_t hold[2];            /* first slot of each hold group */
    word_t hold_slots;         /* slots per group = dummies per retype */
    bool active;
    bool broken;               /* a kernel call failed: the state no longer matches */
} rt_untyped_t;

enum rt_strategy { RT_OFFSET = 0, RT_ABSOLUTE = 1 };

typedef struct rt_request {
    word_t size_bits, count, target;
    bool has_target, device_ok, phys_align;
    word_t type_number, user_size;
} rt_request_t;

typedef struct rt_result {
    word_t core_error;         /* UNTYPED_ALLOC_ERR_* when the core refused, else 0 */
    word_t kernel_error;       /* seL4_Error of the failing call, else 0 */
    word_t paddr;              /* where the core says the first object is */
    word_t retypes, deletes;   /* seL4 calls made */
} rt_result_t;

void rt_place(rt_untyped_t *u, const rt_ops_t *ops, const rt_request_t *r, word_t dest_slot,
              int strategy, rt_result_t *out);

#endif
