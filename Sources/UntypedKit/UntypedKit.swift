// UntypedKit: the hosted side of the untyped allocator.
//
// * KernelWindow, Catalogue, CustomWindow, WindowJSON: kernel configurations and their windows.
// * ObjectTypes: object types as each configuration numbers and sizes them.
// * JSONInput, JSONOutput, Formats: file access, output, errors, tables.
// * UntypedList, MemoryMap, Trace: the three input formats.
// * BootInfo: the kernel's boot-time untyped list, derived from a memory map.
// * KernelBoot, QEMUPlatform: the kernel's own boot steps (reservations, root server,
//   create_untypeds) and the four QEMU machines `bootinfo --platform` reproduces.
// * Replay: a trace executed on the core's kernel model.
//
// The library returns values and typed errors (InputError); only the `untyped` executable
// prints or exits.
