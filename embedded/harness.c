/*
 * Test driver for the C ABI (include/untyped_alloc.h), built by embedded/build.sh for
 * every ISA (freestanding, run under qemu-user) and for the build machine (the reference).
 *
 * For each vector of embedded/vectors.h it initialises the untyped, then for each request
 * loops next_step / confirm -- pretending every seL4 call succeeds -- until the object is
 * placed or the request fails. Every step is printed as one line of hex fields, and the
 * state after each request; build.sh diffs the whole output against the reference run with
 * the same word width. Hand-written vectors carry expectations, checked at their own width.
 *
 * Output (all numbers hex):
 *     # <set> <vector> <name>
 *     u <paddr> <size_bits> <is_device>
 *     <request> <kind> <size_bits> <count> <hold> <paddr> <error>      one line per step
 *     s <8 state words>                                                after each request
 *     <n> vectors <m> steps                                            (decimal)
 *
 * Only the platform glue (start.c) differs between builds: harness_write / harness_exit.
 */
#include "untyped_alloc.h"
#include "vectors.h"

void harness_write(const char *buf, untyped_word_t len);
void harness_exit(int status) __attribute__((noreturn));
void harness_main(void) __attribute__((noreturn));

/* Word width the allocator computes with. HARNESS_WORD32 makes the reference build on a
 * 64-bit machine run the 32-bit set with 32-bit words (the Swift side is then compiled
 * with -D UNTYPED_CABI_WORD32). */
#if defined(HARNESS_WORD32) || UINTPTR_MAX == 0xffffffffu
#define WORD_BITS 32
#else
#define WORD_BITS 64
#endif

/* A request loops at most this many steps (the allocator needs fewer than 4 * WORD_BITS). */
#define STEP_LIMIT 1000

static char out_buf[4096];
static untyped_word_t out_len;
static int status;
static untyped_word_t total_steps;

static void flush(void)
{
    harness_write(out_buf, out_len);
    out_len = 0;
}

static void put_char(char c)
{
    if (out_len == sizeof out_buf)
        flush();
    out_buf[out_len++] = c;
}

static void put_str(const char *s)
{
    while (*s)
        put_char(*s++);
}

/* Lower-case hex without leading zeros, one space before. */
static void put_hex(untyped_word_t v)
{
    char digits[2 * sizeof v];
    int n = 0;
    put_char(' ');
    do {
        digits[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n)
        put_char(digits[--n]);
}

/* Decimal, for the summary line (no division: armv7-a has no divide instruction). */
static void put_dec(untyped_word_t v)
{
    static const untyped_word_t powers[] = { 1000000000u, 100000000u, 10000000u, 1000000u,
                                             100000u, 10000u, 1000u, 100u, 10u, 1u };
    untyped_word_t i;
    int started = 0;
    for (i = 0; i < sizeof powers / sizeof powers[0]; i++) {
        char d = '0';
        while (v >= powers[i]) {
            v -= powers[i];
            d++;
        }
        if (d != '0' || started || i == sizeof powers / sizeof powers[0] - 1) {
            put_char(d);
            started = 1;
        }
    }
}

static void fail(const char *what, untyped_word_t vector, untyped_word_t request,
                 untyped_word_t got, untyped_word_t want)
{
    put_str("EXPECTATION FAILED: ");
    put_str(what);
    put_str(", vector/request/got/want");
    put_hex(vector);
    put_hex(request);
    put_hex(got);
    put_hex(want);
    put_char('\n');
    status = 1;
}

/* Runs one set of vectors; `native` when its values are meant for this word width (then
 * the expectations apply). */
static void run_set(const char *set, const struct vec_untyped *vectors, untyped_word_t n_vectors,
                    const struct vec_request *requests, int native)
{
    untyped_word_t vi, ri, k;
    for (vi = 0; vi < n_vectors; vi++) {
        const struct vec_untyped *v = &vectors[vi];
        untyped_alloc_state_t state;
        put_str("# ");
        put_str(set);
        put_hex(vi);
        put_char(' ');
        put_str(v->name);
        put_str("\nu");
        put_hex((untyped_word_t)v->paddr);
        put_hex(v->size_bits);
        put_hex(v->is_device);
        put_char('\n');
        if (!untyped_alloc_init(state.w, (untyped_word_t)v->paddr, v->size_bits, v->is_device)) {
            fail("init refused the untyped", vi, 0, v->size_bits, 0);
            continue;
        }
        for (ri = 0; ri < v->n_requests; ri++) {
            const struct vec_request *r = &requests[v->first_request + ri];
            untyped_alloc_step_t step;
            untyped_word_t kind = UNTYPED_ALLOC_FAIL, steps, dummy_retypes = 0;
            for (steps = 0; steps < STEP_LIMIT; steps++) {
                kind = untyped_alloc_next_step(state.w, (untyped_word_t)r->size_bits,
                                               (untyped_word_t)r->count, r->device_allowed != 0,
                                               r->needs_phys_align != 0, r->has_target != 0,
                                               (untyped_word_t)r->target,
                                               (untyped_word_t)r->max_dummies, step.w);
                total_steps++;
                put_hex(ri);
                for (k = 0; k < UNTYPED_ALLOC_STEP_WORDS; k++)
                    put_hex(step.w[k]);
                put_char('\n');
                if (kind != step.w[UNTYPED_ALLOC_STEP_KIND])
                    fail("returned kind differs from step kind", vi, ri, kind, step.w[0]);
                if (kind == UNTYPED_ALLOC_FAIL)
                    break;
                untyped_alloc_confirm(state.w, step.w);
                if (kind == UNTYPED_ALLOC_RETYPE_OBJECT)
                    break;
                if (kind == UNTYPED_ALLOC_RETYPE_DUMMIES)
                    dummy_retypes++;
            }
            if (steps == STEP_LIMIT)
                fail("step limit reached", vi, ri, steps, STEP_LIMIT);
            put_char('s');
            for (k = 0; k < UNTYPED_ALLOC_STATE_WORDS; k++)
                put_hex(state.w[k]);
            put_char('\n');

            if (!native || r->expect_kind < 0)
                continue;
            if (kind != (untyped_word_t)r->expect_kind) {
                fail("final step kind", vi, ri, kind, (untyped_word_t)r->expect_kind);
            } else if (kind == UNTYPED_ALLOC_RETYPE_OBJECT &&
                       step.w[UNTYPED_ALLOC_STEP_PADDR] != (untyped_word_t)r->expect_value) {
                fail("object paddr", vi, ri, step.w[UNTYPED_ALLOC_STEP_PADDR],
                     (untyped_word_t)r->expect_value);
            } else if (kind == UNTYPED_ALLOC_FAIL &&
                       step.w[UNTYPED_ALLOC_STEP_ERROR] != (untyped_word_t)r->expect_value) {
                fail("error code", vi, ri, step.w[UNTYPED_ALLOC_STEP_ERROR],
                     (untyped_word_t)r->expect_value);
            }
            if (r->expect_dummy_retypes >= 0 && dummy_retypes != (untyped_word_t)r->expect_dummy_retypes)
                fail("dummy retypes", vi, ri, dummy_retypes, (untyped_word_t)r->expect_dummy_retypes);
        }
    }
}

/* untyped_alloc_init accepts exactly 4 <= size_bits < WORD_BITS. */
static void check_init(void)
{
    untyped_alloc_state_t s;
    static const uint8_t sizes[] = { 0, 3, 4, WORD_BITS - 1, WORD_BITS, 255 };
    static const char accepted[] = { 0, 0, 1, 1, 0, 0 };
    untyped_word_t i;
    put_str("init");
    for (i = 0; i < sizeof sizes; i++) {
        int ok = untyped_alloc_init(s.w, 0, sizes[i], 0);
        put_hex(ok);
        if (ok != accepted[i])
            fail("init size check", 0, i, (untyped_word_t)ok, (untyped_word_t)accepted[i]);
    }
    put_char('\n');
}

void harness_main(void)
{
    untyped_word_t n = 0;
    check_init();
#if WORD_BITS == 64
    run_set("64", vectors64, N_VECTORS64, requests64, 1);
    n += N_VECTORS64;
    run_set("32", vectors32, N_VECTORS32, requests32, 0);   /* 32-bit values, 64-bit words */
#else
    run_set("32", vectors32, N_VECTORS32, requests32, 1);
#endif
    n += N_VECTORS32;
    put_dec(n);
    put_str(" vectors ");
    put_dec(total_steps);
    put_str(" steps\n");
    flush();
    harness_exit(status);
}
