/* Entry of the root task on x86_64: the kernel passes the bootinfo pointer in rdi. */
    .section .text.start, "ax"
    .global _start
_start:
    leaq    rt_stack_top(%rip), %rsp
    andq    $-16, %rsp
    call    rt_main                 /* rt_main(seL4_BootInfo *) in rdi, never returns */
1:  jmp     1b
