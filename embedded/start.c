/*
 * Platform glue for embedded/harness.c: program entry, output and exit.
 *
 * Freestanding builds (every ISA under qemu-user): a static Linux ELF without any C
 * library -- `_start`, the write and exit_group system calls in inline assembly, and the
 * few memory routines the compiler may call. HARNESS_HOSTED (the reference build on the
 * build machine): the C library's main, write and _exit.
 */
#include <stddef.h>
#include <stdint.h>

void harness_main(void) __attribute__((noreturn));
void harness_write(const char *buf, uintptr_t len);
void harness_exit(int status) __attribute__((noreturn));

#if defined(HARNESS_HOSTED)

#include <unistd.h>

void harness_write(const char *buf, uintptr_t len)
{
    while (len) {
        ssize_t n = write(1, buf, len);
        if (n <= 0)
            _exit(2);
        buf += n;
        len -= (uintptr_t)n;
    }
}

void harness_exit(int status)
{
    _exit(status);
}

int main(void)
{
    harness_main();
}

#else /* freestanding Linux, per architecture */

/* Entry: clear the frame pointer / return address, align the stack, call harness_main. */
#if defined(__x86_64__)
#define SYS_WRITE 1
#define SYS_EXIT_GROUP 231
__asm__(".text\n.globl _start\n_start:\n"
        "  xor %rbp, %rbp\n  and $-16, %rsp\n  call harness_main\n  ud2\n");
static long syscall3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}
#elif defined(__i386__)
#define SYS_WRITE 4
#define SYS_EXIT_GROUP 252
__asm__(".text\n.globl _start\n_start:\n"
        "  xor %ebp, %ebp\n  and $-16, %esp\n  call harness_main\n  ud2\n");
static long syscall3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}
#elif defined(__aarch64__)
#define SYS_WRITE 64
#define SYS_EXIT_GROUP 94
__asm__(".text\n.globl _start\n_start:\n"
        "  mov x29, xzr\n  mov x30, xzr\n  bl harness_main\n  udf #0\n");
static long syscall3(long n, long a, long b, long c)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}
#elif defined(__arm__)
/* EABI system calls: number in r7 (ARM state, so r7 is not the frame pointer). */
#define SYS_WRITE 4
#define SYS_EXIT_GROUP 248
__asm__(".text\n.arm\n.globl _start\n_start:\n"
        "  mov fp, #0\n  mov lr, #0\n  bic sp, sp, #15\n  bl harness_main\n  udf #0\n");
static long syscall3(long n, long a, long b, long c)
{
    register long r7 __asm__("r7") = n;
    register long r0 __asm__("r0") = a;
    register long r1 __asm__("r1") = b;
    register long r2 __asm__("r2") = c;
    __asm__ volatile("svc #0" : "+r"(r0) : "r"(r7), "r"(r1), "r"(r2) : "memory");
    return r0;
}
#elif defined(__riscv)
#define SYS_WRITE 64
#define SYS_EXIT_GROUP 94
__asm__(".text\n.globl _start\n_start:\n"
        "  li ra, 0\n  li fp, 0\n  andi sp, sp, -16\n  call harness_main\n  unimp\n");
static long syscall3(long n, long a, long b, long c)
{
    register long a7 __asm__("a7") = n;
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2) : "memory");
    return a0;
}
#else
#error "unsupported architecture"
#endif

void harness_write(const char *buf, uintptr_t len)
{
    while (len) {
        long n = syscall3(SYS_WRITE, 1, (long)buf, (long)len);
        if (n <= 0)
            harness_exit(2);
        buf += n;
        len -= (uintptr_t)n;
    }
}

void harness_exit(int status)
{
    for (;;)
        syscall3(SYS_EXIT_GROUP, status, 0, 0);
}

/* Memory routines the compilers may call (built with -fno-builtin, so these loops stay
 * loops). The Swift object's undefined symbols are checked against an allow-list. */
void *memset(void *dest, int c, size_t n)
{
    unsigned char *d = dest;
    while (n--)
        *d++ = (unsigned char)c;
    return dest;
}

void *memcpy(void *dest, const void *src, size_t n)
{
    unsigned char *d = dest;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dest;
}

void *memmove(void *dest, const void *src, size_t n)
{
    unsigned char *d = dest;
    const unsigned char *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dest;
}

#if defined(__arm__)
/* ARM run-time ABI names (note the argument order of __aeabi_memset). */
void __aeabi_memclr(void *dest, size_t n) { memset(dest, 0, n); }
void __aeabi_memclr4(void *dest, size_t n) { memset(dest, 0, n); }
void __aeabi_memclr8(void *dest, size_t n) { memset(dest, 0, n); }
void __aeabi_memset(void *dest, size_t n, int c) { memset(dest, c, n); }
void __aeabi_memset4(void *dest, size_t n, int c) { memset(dest, c, n); }
void __aeabi_memset8(void *dest, size_t n, int c) { memset(dest, c, n); }
void __aeabi_memcpy(void *dest, const void *src, size_t n) { memcpy(dest, src, n); }
void __aeabi_memcpy4(void *dest, const void *src, size_t n) { memcpy(dest, src, n); }
void __aeabi_memcpy8(void *dest, const void *src, size_t n) { memcpy(dest, src, n); }
#endif

#endif /* HARNESS_HOSTED */
