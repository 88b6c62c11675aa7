/*
 * The thin layer over libsel4: the only file of the root task that includes seL4's headers.
 * Needs the headers of a kernel build (libsel4 with LibSel4UseThreadLocals off, so that the
 * root task defines __sel4_ipc_buffer itself) and a kernel with printing on.
 */
#include <autoconf.h>
#include <sel4/sel4.h>
#include "rt.h"

seL4_IPCBuffer *__sel4_ipc_buffer;

void rt_putc(char c) { seL4_DebugPutChar(c); }

#define T(name, type, bits, frame, dev) { name, type, bits, frame, dev }
#define COMMON_TYPES                                                             \
    T("untyped", seL4_UntypedObject, 0, false, true),                            \
    T("tcb", seL4_TCBObject, seL4_TCBBits, false, false),                        \
    T("endpoint", seL4_EndpointObject, seL4_EndpointBits, false, false),         \
    T("notification", seL4_NotificationObject, seL4_NotificationBits, false, false), \
    T("cnode", seL4_CapTableObject, 0, false, false)

#if defined(CONFIG_ARCH_X86_64)
const char rt_arch_name[] = "x86_64";
/* device untyped 0x8000000000/46 on QEMU; physical alignment of the watermark puts a 2 MiB
 * frame wanted here at 0xe8000000000 (PPTR_BASE_OFFSET 0xffffff8000000000) */
const word_t rt_reported_target = 0xe0000000000ull;
const rt_type_t rt_types[] = {
    COMMON_TYPES,
    T("pdpt", seL4_X86_PDPTObject, seL4_PDPTBits, false, false),
    T("pml4", seL4_X64_PML4Object, seL4_PML4Bits, false, false),
#ifdef CONFIG_HUGE_PAGE
    T("hugepage", seL4_X64_HugePageObject, seL4_HugePageBits, true, true),
#endif
    T("4k", seL4_X86_4K, seL4_PageBits, true, true),
    T("largepage", seL4_X86_LargePageObject, seL4_LargePageBits, true, true),
    T("pagetable", seL4_X86_PageTableObject, seL4_PageTableBits, false, false),
    T("pagedirectory", seL4_X86_PageDirectoryObject, seL4_PageDirBits, false, false),
};
#elif defined(CONFIG_ARCH_IA32)
const char rt_arch_name[] = "ia32";
const word_t rt_reported_target = 0;
const rt_type_t rt_types[] = {
    COMMON_TYPES,
    T("4k", seL4_X86_4K, seL4_PageBits, true, true),
    T("largepage", seL4_X86_LargePageObject, seL4_LargePageBits, true, true),
    T("pagetable", seL4_X86_PageTableObject, seL4_PageTableBits, false, false),
    T("pagedirectory", seL4_X86_PageDirectoryObject, seL4_PageDirBits, false, false),
};
#elif defined(CONFIG_ARCH_AARCH64)
#if defined(CONFIG_ARM_PA_SIZE_BITS_44)
const char rt_arch_name[] = "aarch64-pa44";
/* device untyped 0x8000000000/43 with a 44-bit PA CPU (cortex-a57) */
const word_t rt_reported_target = 0x60000000000ull;
#else
const char rt_arch_name[] = "aarch64-pa40";
const word_t rt_reported_target = 0;
#endif
const rt_type_t rt_types[] = {
    COMMON_TYPES,
    T("hugepage", seL4_ARM_HugePageObject, seL4_HugePageBits, true, true),
    T("vspace", seL4_ARM_VSpaceObject, seL4_VSpaceBits, false, false),
    T("smallpage", seL4_ARM_SmallPageObject, seL4_PageBits, true, true),
    T("largepage", seL4_ARM_LargePageObject, seL4_LargePageBits, true, true),
    T("pagetable", seL4_ARM_PageTableObject, seL4_PageTableBits, false, false),
};
#elif defined(CONFIG_ARCH_RISCV64)
const char rt_arch_name[] = "riscv64";
const word_t rt_reported_target = 0;
const rt_type_t rt_types[] = {
    COMMON_TYPES,
    T("gigapage", seL4_RISCV_Giga_Page, seL4_HugePageBits, true, true),
    T("4kpage", seL4_RISCV_4K_Page, seL4_PageBits, true, true),
    T("megapage", seL4_RISCV_Mega_Page, seL4_LargePageBits, true, true),
    T("pagetable", seL4_RISCV_PageTableObject, seL4_PageTableBits, false, false),
};
#else
#error "the example root task supports x86_64, ia32, aarch64 and riscv64 kernels"
#endif
const word_t rt_num_types = sizeof rt_types / sizeof rt_types[0];

word_t rt_slot_bits(void) { return seL4_SlotBits; }
word_t rt_max_untyped_bits(void) { return seL4_MaxUntypedBits; }

void rt_read_bootinfo(void *bootinfo, rt_boot_t *out) {
    seL4_BootInfo *bi = bootinfo;
    __sel4_ipc_buffer = bi->ipcBuffer;
    out->first_untyped_cap = bi->untyped.start;
    out->num_untypeds = bi->untyped.end - bi->untyped.start;
    if (out->num_untypeds > 256) out->num_untypeds = 256;
    out->first_free_slot = bi->empty.start;
    out->end_free_slot = bi->empty.end;
    out->cnode_size_bits = bi->initThreadCNodeSizeBits;
    for (word_t i = 0; i < out->num_untypeds; i++) {
        out->ut[i].paddr = bi->untypedList[i].paddr;
        out->ut[i].size_bits = bi->untypedList[i].sizeBits;
        out->ut[i].is_device = bi->untypedList[i].isDevice != 0;
    }
}

word_t rt_retype(word_t untyped_cap, word_t type_number, word_t user_size, word_t dest_slot, word_t count) {
    return (word_t)seL4_Untyped_Retype(untyped_cap, type_number, user_size, seL4_CapInitThreadCNode,
                                       0, 0, dest_slot, count);
}

word_t rt_delete(word_t slot) {
    return (word_t)seL4_CNode_Delete(seL4_CapInitThreadCNode, slot, seL4_WordBits);
}

word_t rt_frame_paddr(word_t frame_slot, word_t *paddr) {
#if defined(CONFIG_ARCH_X86)
    seL4_X86_Page_GetAddress_t r = seL4_X86_Page_GetAddress(frame_slot);
#elif defined(CONFIG_ARCH_ARM)
    seL4_ARM_Page_GetAddress_t r = seL4_ARM_Page_GetAddress(frame_slot);
#else
    seL4_RISCV_Page_GetAddress_t r = seL4_RISCV_Page_GetAddress(frame_slot);
#endif
    *paddr = r.paddr;
    return (word_t)r.error;
}

#if defined(CONFIG_ARCH_X86)
static word_t exit_port_cap;
#endif

void rt_setup_exit(word_t free_slot) {
#if defined(CONFIG_ARCH_X86)
    /* QEMU's isa-debug-exit device at port 0xf4 (-device isa-debug-exit,iobase=0xf4,iosize=0x04) */
    if (seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, 0xf4, 0xf7, seL4_CapInitThreadCNode,
                                     free_slot, seL4_WordBits) == seL4_NoError)
        exit_port_cap = free_slot;
#else
    (void)free_slot;
#endif
}

void rt_exit(int code) {
#if defined(CONFIG_ARCH_X86)
    /* QEMU exits with status (value << 1) | 1 */
    if (exit_port_cap) seL4_X86_IOPort_Out32(exit_port_cap, 0xf4, (seL4_Word)code);
#else
    (void)code;
#endif
    for (;;) seL4_Yield();
}
