/* Entry of the root task on aarch64: the kernel passes the bootinfo pointer in x0. */
    .section .text.start, "ax"
    .global _start
_start:
    adrp    x1, rt_stack_top
    add     x1, x1, :lo12:rt_stack_top
    and     x1, x1, #-16
    mov     sp, x1
    bl      rt_main                 /* x0 still holds the bootinfo pointer */
1:  b       1b
