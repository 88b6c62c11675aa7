/* Entry of the root task on ia32: the kernel passes the bootinfo pointer in ebx. */
    .section .text.start, "ax"
    .global _start
_start:
    movl    $rt_stack_top, %esp
    andl    $-16, %esp
    subl    $12, %esp
    pushl   %ebx                    /* rt_main(seL4_BootInfo *) */
    call    rt_main
1:  jmp     1b
