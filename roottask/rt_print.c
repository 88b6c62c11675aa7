/* Formatted output over seL4_DebugPutChar: just what the root task's lines need. */
#include <stdarg.h>
#include "rt.h"

static void put_str(const char *s) { while (*s) rt_putc(*s++); }

static void put_word(word_t v, unsigned base) {
    char buf[2 * sizeof(word_t) * 4 + 1];
    int n = 0;
    do {
        word_t d = v % base;
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (n) rt_putc(buf[--n]);
}

void rt_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') { rt_putc(*fmt); continue; }
        switch (*++fmt) {
        case 's': put_str(va_arg(ap, const char *)); break;
        case 'c': rt_putc((char)va_arg(ap, int)); break;
        case 'u': put_word(va_arg(ap, word_t), 10); break;
        case 'x': put_str("0x"); put_word(va_arg(ap, word_t), 16); break;
        case 'd': {
            int v = va_arg(ap, int);
            if (v < 0) { rt_putc('-'); put_word((word_t)(-(long)v), 10); } else put_word((word_t)v, 10);
            break;
        }
        case '%': rt_putc('%'); break;
        case 0: va_end(ap); return;
        default: rt_putc('%'); rt_putc(*fmt); break;
        }
    }
    va_end(ap);
}

/* The C library functions compilers may call for struct copies and zeroing. */
void *memset(void *d, int c, size_t n) {
    unsigned char *p = d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}
void *memcpy(void *d, const void *s, size_t n) {
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--) *p++ = *q++;
    return d;
}
void *memmove(void *d, const void *s, size_t n) {
    unsigned char *p = d;
    const unsigned char *q = s;
    if (p < q) { while (n--) *p++ = *q++; }
    else { while (n--) p[n] = q[n]; }
    return d;
}
