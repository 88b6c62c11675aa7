/*
 * Example seL4 root task: prints the bootinfo untyped list, places objects at chosen physical
 * addresses with the allocator core, and checks with the kernel where they landed.
 *
 * Output lines start with "@@" (the host runner parses them; the kernel's own boot messages
 * come before):
 *   @@begin arch=A strategy=S seed=N anchors=N hold=N
 *   @@bootinfo untypeds=N first_cap=C empty=A..B cnode_bits=N
 *   @@ut I PADDR SIZEBITS ISDEVICE                  one per bootinfo untyped
 *   @@type NAME NUMBER BITS                         the object types used (BITS 0: size argument)
 *   @@retype ut=I type=NAME num=N size=N count=N first=K err=E   every Untyped_Retype made
 *   @@delete name=cK err=E                          every CNode_Delete made
 *   @@obj cK anchor=J type=NAME expected=X actual=Y exact|misplaced|unchecked
 *   @@anchor J ut=I type=NAME bits=B count=N target=X result=R retypes=N deletes=N
 *   @@done anchors=N placed=N exact=N misplaced=N refused=N kernel_errors=N error_probes=N
 *   @@end status=ok|fail
 * Objects are named cK: the K-th capability this root task created (hold dummies included).
 *
 * Build-time settings (-D): RT_STRATEGY (0 offset, 1 absolute), RT_SEED, RT_ANCHORS,
 * RT_HOLD_SLOTS (dummies per retype), RT_TARGET (override the reported case's address).
 */
#include "rt.h"

#ifndef RT_STRATEGY
#define RT_STRATEGY RT_OFFSET
#endif
#ifndef RT_SEED
#define RT_SEED 1
#endif
#ifndef RT_ANCHORS
#define RT_ANCHORS 0
#endif
#ifndef RT_HOLD_SLOTS
#define RT_HOLD_SLOTS 8
#endif
#define MAX_SLOTS 8192

/* The stack; the startup code sets sp to rt_stack_top, its end. */
unsigned char rt_stack[64 * 1024] __attribute__((aligned(16)));
__asm__(".globl rt_stack_top\n.set rt_stack_top, rt_stack + 65536");

static rt_boot_t boot;
static rt_untyped_t uts[256];
static uint32_t slot_name[MAX_SLOTS];  /* serial of the cap in each slot (0: none) */
static uint32_t next_serial = 1;
static word_t next_slot, end_slot;
static uint64_t rng_state;

static struct {
    word_t anchors, placed, exact, misplaced, refused, kernel_errors, error_probes, unchecked;
} count;

/* ---- helpers ---- */
static uint32_t rng32(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}
static word_t rng_word(void) {
    word_t v = rng32();
    if (sizeof(word_t) > 4) v = (word_t)((uint64_t)v << 32 | rng32());
    return v;
}
static word_t rng_below(word_t n) { /* uniform in [0, n), n > 0 */
    word_t mask = n - 1;
    for (unsigned s = 1; s < 8 * sizeof(word_t); s <<= 1) mask |= mask >> s;
    for (;;) {
        word_t r = rng_word() & mask;
        if (r < n) return r;
    }
}
static word_t bit(word_t b) { return b >= 8 * sizeof(word_t) ? 0 : (word_t)1 << b; }
static word_t align_up(word_t v, word_t b) { return (v + bit(b) - 1) & ~(bit(b) - 1); }

static word_t take_slots(word_t n) {
    if (next_slot + n > end_slot || next_slot + n > MAX_SLOTS) return 0;
    word_t s = next_slot;
    next_slot += n;
    return s;
}

static const rt_type_t *type_by_name(const char *name) {
    for (word_t i = 0; i < rt_num_types; i++) {
        const char *a = rt_types[i].name, *b = name;
        while (*a && *a == *b) { a++; b++; }
        if (*a == *b) return &rt_types[i];
    }
    return 0;
}
static const char *type_name(word_t number) {
    for (word_t i = 0; i < rt_num_types; i++)
        if (rt_types[i].number == number) return rt_types[i].name;
    return "?";
}

/* ---- the seL4 calls, logged ---- */
static word_t op_retype(void *ctx, word_t ut, word_t type, word_t size, word_t dest, word_t n) {
    (void)ctx;
    word_t err = rt_retype(boot.first_untyped_cap + ut, type, size, dest, n);
    rt_printf("@@retype ut=%u type=%s num=%u size=%u count=%u first=%u err=%u\n", ut, type_name(type),
              type, size, n, (word_t)next_serial, err);
    if (!err)
        for (word_t k = 0; k < n; k++)
            if (dest + k < MAX_SLOTS) slot_name[dest + k] = next_serial++;
    return err;
}
static word_t op_delete(void *ctx, word_t slot) {
    (void)ctx;
    word_t err = rt_delete(slot);
    rt_printf("@@delete name=c%u err=%u\n", (word_t)(slot < MAX_SLOTS ? slot_name[slot] : 0), err);
    if (!err && slot < MAX_SLOTS) slot_name[slot] = 0;
    return err;
}
static const rt_ops_t ops = { op_retype, op_delete, 0 };

static rt_untyped_t *activate(word_t i) {
    rt_untyped_t *u = &uts[i];
    if (u->active) return u;
    word_t h = take_slots(2 * RT_HOLD_SLOTS);
    if (!h) return 0;
    if (!untyped_alloc_init(u->st.w, boot.ut[i].paddr, (uint8_t)boot.ut[i].size_bits,
                            boot.ut[i].is_device ? 1 : 0))
        return 0;
    u->index = i;
    u->hold[0] = h;
    u->hold[1] = h + RT_HOLD_SLOTS;
    u->hold_slots = RT_HOLD_SLOTS;
    u->active = true;
    return u;
}

/* Bytes of untyped i already handed out, as the core sees it. */
static word_t used_bytes(const rt_untyped_t *u) {
    const word_t *w = u->st.w;
    if (w[UNTYPED_ALLOC_STATE_LIVE_OBJECTS] == 0 && w[UNTYPED_ALLOC_STATE_HOLD0] == 0 &&
        w[UNTYPED_ALLOC_STATE_HOLD1] == 0)
        return 0; /* no children: the next retype resets it */
    return w[UNTYPED_ALLOC_STATE_WATERMARK];
}

/* Checks objects [dest, dest+n) the core placed at `paddr` (frames: Page_GetAddress). */
static void check_objects(word_t anchor, const rt_type_t *t, word_t bits, word_t dest, word_t n, word_t paddr) {
    for (word_t k = 0; k < n; k++) {
        word_t want = paddr + k * bit(bits), got = 0;
        word_t name = dest + k < MAX_SLOTS ? slot_name[dest + k] : 0;
        if (!t->is_frame) {
            rt_printf("@@obj c%u anchor=%u type=%s expected=%x actual=none unchecked\n", name, anchor, t->name, want);
            count.unchecked++;
            continue;
        }
        word_t err = rt_frame_paddr(dest + k, &got);
        bool exact = err == 0 && got == want;
        rt_printf("@@obj c%u anchor=%u type=%s expected=%x actual=%x %s\n", name, anchor, t->name, want, got,
                  exact ? "exact" : "misplaced");
        if (exact) count.exact++; else count.misplaced++;
    }
}

/* One request through the core; returns true when the object(s) were created. */
static bool place(word_t anchor, word_t i, const rt_type_t *t, word_t bits, word_t n, bool has_target,
                  word_t target, int strategy) {
    rt_untyped_t *u = activate(i);
    word_t dest = take_slots(n);
    if (!u || !dest) {
        rt_printf("@@stop reason=slots anchor=%u\n", anchor);
        return false;
    }
    rt_request_t r = { bits, n, target, has_target, t->device_ok, t->is_frame, t->number,
                       t->fixed_bits ? 0 : (t->number == 0 ? bits : bits - rt_slot_bits()) };
    rt_result_t res;
    rt_place(u, &ops, &r, dest, strategy, &res);
    const char *result = "placed";
    if (res.core_error) { result = "refused"; count.refused++; next_slot -= n; }
    else if (res.kernel_error) { result = "kernel-error"; count.kernel_errors++; }
    rt_printf("@@anchor %u ut=%u type=%s bits=%u count=%u target=%x result=%s", anchor, i, t->name, bits, n,
              has_target ? target : (word_t)0, result);
    rt_printf(" core_error=%u kernel_error=%u retypes=%u deletes=%u\n", res.core_error, res.kernel_error,
              res.retypes, res.deletes);
    if (res.core_error || res.kernel_error) return false;
    count.placed += n;
    check_objects(anchor, t, bits, dest, n, res.paddr);
    return true;
}

/* After a non-frame object: a 4 KiB frame at the next free place shows where the kernel's
 * watermark is, so the object's end is checked too. */
static const rt_type_t *smallest_frame(void) {
    const rt_type_t *f = 0;
    for (word_t k = 0; k < rt_num_types; k++)
        if (rt_types[k].is_frame && (!f || rt_types[k].fixed_bits < f->fixed_bits)) f = &rt_types[k];
    return f;
}

static void probe(word_t anchor, word_t i, int strategy) {
    const rt_type_t *f = smallest_frame();
    place(anchor, i, f, f->fixed_bits, 1, false, 0, strategy);
}

/* ---- reported case ---- */
static void reported_case(int strategy) {
    /* the large frame: the smallest frame size above the base page */
    const rt_type_t *t = 0, *small = smallest_frame();
    for (word_t k = 0; k < rt_num_types; k++)
        if (rt_types[k].is_frame && rt_types[k].fixed_bits > small->fixed_bits &&
            (!t || rt_types[k].fixed_bits < t->fixed_bits))
            t = &rt_types[k];
#if defined(RT_TARGET)
    word_t target = (word_t)RT_TARGET;
#else
    word_t target = rt_reported_target;
#endif
    word_t best = ~(word_t)0;
    for (word_t i = 0; i < boot.num_untypeds; i++) {
        const rt_untyped_desc_t *d = &boot.ut[i];
        if (!d->is_device || d->size_bits < t->fixed_bits) continue;
        if (target) {
            if (target >= d->paddr && target - d->paddr < bit(d->size_bits) &&
                target - d->paddr + bit(t->fixed_bits) <= bit(d->size_bits))
                best = i;
        } else if (best == ~(word_t)0 || d->size_bits > boot.ut[best].size_bits) {
            best = i;
        }
    }
    if (best == ~(word_t)0) { rt_printf("@@reported none\n"); return; }
    if (!target) target = boot.ut[best].paddr + bit(boot.ut[best].size_bits - 1);
    rt_printf("@@reported ut=%u paddr=%x bits=%u target=%x type=%s\n", best, boot.ut[best].paddr,
              boot.ut[best].size_bits, target, t->name);
    place(0, best, t, t->fixed_bits, 1, true, target, strategy);
}

/* ---- random campaign ---- */
static bool pick_type(word_t j, word_t attempt, const rt_untyped_desc_t *d, const rt_type_t **t, word_t *bits) {
    /* RAM: every type in turn (then random ones if it does not fit); device: frames and untypeds */
    const rt_type_t *c = &rt_types[attempt ? rng_below(rt_num_types) : (j / 2) % rt_num_types];
    if (d->is_device) {
        word_t k = rng_below(rt_num_types);
        while (!rt_types[k].device_ok) k = (k + 1) % rt_num_types;
        c = &rt_types[k];
    }
    word_t b = c->fixed_bits;
    if (c->number == 0) b = 4 + rng_below(d->size_bits - 4 + 1);                   /* untyped */
    else if (!b) b = rt_slot_bits() + 1 + rng_below(12);                             /* cnode */
    if (b > d->size_bits) return false;
    *t = c;
    *bits = b;
    return true;
}

static void error_probe(word_t j) {
    /* A call the kernel must refuse, on an untyped the core does not hold. The kernel
     * changes nothing; the host replays it on the model and compares the error. */
    word_t i = rng_below(boot.num_untypeds);
    word_t dest = take_slots(2);
    if (!dest) return;
    const rt_type_t *tcb = type_by_name("tcb");
    switch (j % 4) {
    case 0: /* device untyped to a TCB, or RAM too small for two of itself */
        for (word_t k = 0; k < boot.num_untypeds; k++)
            if (boot.ut[k].is_device) { i = k; break; }
        op_retype(0, i, tcb->number, 0, dest, 1);
        break;
    case 1: /* untyped larger than seL4_MaxUntypedBits */
        op_retype(0, i, 0, rt_max_untyped_bits() + 1, dest, 1);
        break;
    case 2: /* two untypeds of the untyped's own size do not fit */
        op_retype(0, i, 0, boot.ut[i].size_bits, dest, 2);
        break;
    default: /* zero objects */
        op_retype(0, i, 0, 4, dest, 0);
        break;
    }
    count.error_probes++;
    next_slot -= 2;
}

static void campaign(int strategy) {
    word_t ndev = 0, nram = 0, devs[256], rams[256];
    for (word_t i = 0; i < boot.num_untypeds; i++) {
        if (boot.ut[i].is_device) devs[ndev++] = i; else rams[nram++] = i;
    }
    /* device untypeds from the highest address down, so the top ones are always covered */
    for (word_t a = 0; a + 1 < ndev; a++)
        for (word_t b = a + 1; b < ndev; b++)
            if (boot.ut[devs[b]].paddr > boot.ut[devs[a]].paddr) { word_t x = devs[a]; devs[a] = devs[b]; devs[b] = x; }
    for (word_t j = 1; j <= RT_ANCHORS; j++) {
        if (end_slot - next_slot < 2 * RT_HOLD_SLOTS + 16) { rt_printf("@@stop reason=slots anchor=%u\n", j); break; }
        bool dev = (j & 1) == 0 && ndev;
        if (!nram) dev = true;
        /* an untyped, a type that fits in it and room above its watermark: a few tries */
        word_t i = 0, bits = 0, n = 1, start = 0, size = 0;
        const rt_type_t *t = 0;
        rt_untyped_t *u = 0;
        bool found = false, no_slots = false;
        for (word_t attempt = 0; attempt < 16 && !found && !no_slots; attempt++) {
            /* a device untyped in turn (four tries of a type on each), or a random RAM one */
            i = dev ? devs[(j / 2 + (attempt / 4) * 7) % ndev] : rams[rng_below(nram)];
            if (!pick_type(j, attempt, &boot.ut[i], &t, &bits)) continue;
            n = (bits <= 12 && rng_below(4) == 0) ? 2 + rng_below(3) : 1;
            u = activate(i);
            if (!u) { no_slots = true; break; }
            start = align_up(used_bytes(u), bits);
            size = bit(boot.ut[i].size_bits);
            found = start < size && size - start >= n * bit(bits);
        }
        if (no_slots) { rt_printf("@@stop reason=slots anchor=%u\n", j); break; }
        if (!found) { rt_printf("@@skip %u reason=no-room\n", j); continue; }
        const rt_untyped_desc_t *d = &boot.ut[i];
        word_t room = size - start - n * bit(bits);          /* how far the target may move up */
        word_t g = rng_below(d->size_bits);                  /* gap of up to 2^g bytes */
        word_t gap = (rng_word() & (bit(g) - 1)) & ~(bit(bits) - 1);
        if (gap > room) gap = room & ~(bit(bits) - 1);
        count.anchors++;
        bool ok = place(j, i, t, bits, n, true, d->paddr + start + gap, strategy);
        if (ok && !t->is_frame) probe(j, i, strategy);
        if (j % 8 == 0) error_probe(j / 8);
    }
}

void rt_main(void *bootinfo) {
    rt_read_bootinfo(bootinfo, &boot);
    rng_state = (uint64_t)RT_SEED * 0x9e3779b97f4a7c15ull + 1;
    next_slot = boot.first_free_slot;
    end_slot = boot.end_free_slot;
    rt_setup_exit(take_slots(1));
    int strategy = RT_STRATEGY;
    rt_printf("@@begin arch=%s strategy=%s seed=%u anchors=%u hold=%u\n", rt_arch_name,
              strategy == RT_ABSOLUTE ? "absolute" : "offset", (word_t)RT_SEED, (word_t)RT_ANCHORS,
              (word_t)RT_HOLD_SLOTS);
    rt_printf("@@bootinfo untypeds=%u first_cap=%u empty=%u..%u cnode_bits=%u\n", boot.num_untypeds,
              boot.first_untyped_cap, boot.first_free_slot, boot.end_free_slot, boot.cnode_size_bits);
    for (word_t i = 0; i < boot.num_untypeds; i++)
        rt_printf("@@ut %u %x %u %u\n", i, boot.ut[i].paddr, boot.ut[i].size_bits, (word_t)boot.ut[i].is_device);
    for (word_t k = 0; k < rt_num_types; k++)
        rt_printf("@@type %s %u %u\n", rt_types[k].name, rt_types[k].number, rt_types[k].fixed_bits);
    reported_case(strategy);
    campaign(strategy);
    rt_printf("@@done anchors=%u placed=%u exact=%u misplaced=%u refused=%u kernel_errors=%u error_probes=%u unchecked=%u\n",
              count.anchors, count.placed, count.exact, count.misplaced, count.refused, count.kernel_errors,
              count.error_probes, count.unchecked);
    bool ok = count.misplaced == 0 && count.kernel_errors == 0;
    rt_printf("@@end status=%s\n", ok ? "ok" : "fail");
    rt_exit(ok ? 0 : 1);
}
