/* Entry of the root task on riscv64: the kernel passes the bootinfo pointer in a0. */
    .section .text.start, "ax"
    .global _start
_start:
    .option push
    .option norelax
    lla     gp, __global_pointer$
    .option pop
    lla     sp, rt_stack_top
    andi    sp, sp, -16
    call    rt_main                 /* a0 still holds the bootinfo pointer */
1:  j       1b
