/*
 * Compile-only check of include/untyped_alloc.h (embedded/build.sh builds it with
 * clang -std=c99 -Wall -Wextra -Werror -pedantic for every target): the header is clean
 * C99, and its word type is the type the Swift side exports (Swift's UInt, which the
 * generated header spells size_t), so the hand-written prototypes describe the same ABI.
 */
#include "untyped_alloc.h"

/* C99 has no _Static_assert: a negative array size fails the build instead. */
#define CHECK(name, cond) typedef char check_##name[(cond) ? 1 : -1]

CHECK(word_is_size_t, __builtin_types_compatible_p(untyped_word_t, size_t));
CHECK(word_is_pointer_sized, sizeof(untyped_word_t) == sizeof(void *));
CHECK(state_layout, sizeof(untyped_alloc_state_t) == UNTYPED_ALLOC_STATE_WORDS * sizeof(untyped_word_t));
CHECK(step_layout, sizeof(untyped_alloc_step_t) == UNTYPED_ALLOC_STEP_WORDS * sizeof(untyped_word_t));
CHECK(state_fields, UNTYPED_ALLOC_STATE_NEXT_HOLD == UNTYPED_ALLOC_STATE_WORDS - 1);
CHECK(step_fields, UNTYPED_ALLOC_STEP_ERROR == UNTYPED_ALLOC_STEP_WORDS - 1);

/* The functions have the declared types (a mismatch is a compile error). */
static bool (*const init_fn)(untyped_word_t *, untyped_word_t, uint8_t, uint8_t) = untyped_alloc_init;
static untyped_word_t (*const next_fn)(const untyped_word_t *, untyped_word_t, untyped_word_t, bool, bool,
                                       bool, untyped_word_t, untyped_word_t, untyped_word_t *) =
    untyped_alloc_next_step;
static void (*const confirm_fn)(untyped_word_t *, const untyped_word_t *) = untyped_alloc_confirm;

/* The documented use compiles. */
untyped_word_t header_check_use(untyped_word_t paddr, uint8_t size_bits);
untyped_word_t header_check_use(untyped_word_t paddr, uint8_t size_bits)
{
    untyped_alloc_state_t ut;
    untyped_alloc_step_t st;
    untyped_word_t kind;
    if (!init_fn(ut.w, paddr, size_bits, 1))
        return UNTYPED_ALLOC_FAIL;
    kind = next_fn(ut.w, 12, 1, true, true, true, paddr, 1, st.w);
    if (kind != UNTYPED_ALLOC_FAIL)
        confirm_fn(ut.w, st.w);
    return st.w[UNTYPED_ALLOC_STEP_ERROR] == UNTYPED_ALLOC_OK ? ut.w[UNTYPED_ALLOC_STATE_WATERMARK] : 0;
}
