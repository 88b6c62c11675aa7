#!/usr/bin/env bash
# Embedded Swift build of UntypedCore and cross-ISA check of its C ABI.
#
#   bash embedded/build.sh            (from anywhere; output in embedded/out/)
#
# For each of six bare-metal triples this compiles every file of Sources/UntypedCore with
# Embedded Swift, then checks the object: no undefined symbols beyond a short allow-list, no
# floating-point/SIMD registers, no static initialisers; it prints a table of section sizes.
# It checks the hand-written include/untyped_alloc.h against the header the compiler
# generates and compiles it as strict C99. Then it links the C harness (embedded/harness.c)
# against each object as a static Linux executable, runs it under qemu-user, and diffs the
# output against the same harness built on this machine with the ordinary (non-Embedded)
# compiler at -Onone, for the same word width. Any failure exits non-zero.
#
# Needs: the Swift toolchain (swiftc, clang, ld.lld, llvm-nm, llvm-objdump from the same
# bin directory; found through $SWIFT_BIN, swiftc on PATH, or /opt/swift/usr/bin), and
# qemu-user (Debian/Ubuntu package `qemu-user`: qemu-aarch64, -arm, -x86_64, -i386,
# -riscv64, -riscv32). Nothing is downloaded.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$ROOT/Sources/UntypedCore
EMB=$ROOT/embedded
OUT=$EMB/out
START=$(date +%s)

die() { echo "embedded/build.sh: FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

# ---- Targets and flags ---------------------------------------------------------------------
TARGETS=(aarch64-none-none-elf armv7-none-none-eabi x86_64-unknown-none-elf
         i686-unknown-none-elf riscv64-none-none-eabi riscv32-none-none-eabi)

# Code-generation flags per target, given to clang for the harness and to swiftc through
# -Xcc: Swift's IRGen takes the CPU, target features and float ABI from its Clang importer,
# so these do reach Swift code (seen in the IR's "target-features"; checked below in the
# disassembly). No FP/SIMD anywhere: a root task must not need FPU state.
# x86_64: -mcmodel=kernel becomes the IR's "Code Model" flag (-Xllvm -code-model=kernel is
# ignored), but Swift always generates position-independent code, so the object is
# RIP-relative either way: valid when linked anywhere within +-2 GiB, the kernel model's
# top 2 GiB included (checked below: PC-relative relocations only). For the same reason
# -fno-pic has no effect on Swift code (it is used for the harness only).
target_flags() {
    case $1 in
        aarch64-*) echo "-mgeneral-regs-only" ;;
        armv7-*)   echo "-marm -mfloat-abi=soft -mfpu=none" ;;
        x86_64-*)  echo "-mcmodel=kernel -mno-sse -mno-mmx -msoft-float" ;;
        i686-*)    echo "-mno-sse -mno-mmx -msoft-float" ;;
        riscv64-*) echo "-march=rv64imac -mabi=lp64" ;;
        riscv32-*) echo "-march=rv32imac -mabi=ilp32" ;;
    esac
}
word_bits() { case $1 in aarch64-* | x86_64-* | riscv64-*) echo 64 ;; *) echo 32 ;; esac; }
qemu_for() {
    case $1 in
        aarch64-*) echo qemu-aarch64 ;; armv7-*) echo qemu-arm ;; x86_64-*) echo qemu-x86_64 ;;
        i686-*) echo qemu-i386 ;; riscv64-*) echo qemu-riscv64 ;; riscv32-*) echo qemu-riscv32 ;;
    esac
}

# Bytes in .text*, .rodata*, .data*, .bss* sections of an ELF object: "text ro data bss".
section_sizes() {
    "$OBJDUMP" -h "$1" | awk '
        $1 ~ /^[0-9]+$/ && NF >= 3 {
            n = $2; s = 0; h = tolower($3)
            for (i = 1; i <= length(h); i++) s = s * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
            if (n ~ /^\.text/) text += s; else if (n ~ /^\.rodata/) ro += s
            else if (n ~ /^\.data/) data += s; else if (n ~ /^\.bss/) bss += s
        }
        END { printf "%d %d %d %d", text, ro, data, bss }'
}

# Known causes of "cannot use allocating type ... in -no-allocations mode" (the diagnostic
# has no source location).
compile_hints() {
    if grep -q "allocating type '_ContiguousArrayStorage<UInt>'" "$1"; then
        echo "hint: on 32-bit targets, converting Int to UInt64 through the generic BinaryInteger" \
             "initialisers (UInt64(truncatingIfNeeded: someInt), UInt64(someInt)) is rejected;" \
             "UInt64(_truncatingBits: UInt(bitPattern: someInt)) is accepted." >&2
    fi
    others=$(grep -E "allocating type '_ContiguousArrayStorage<[A-Za-z]+>'" "$1" | grep -v "<UInt>" || true)
    if [ -n "$others" ]; then
        echo "hint: a CaseIterable conformance makes an allCases array; declare it only for hosted" \
             "builds: #if !hasFeature(Embedded) extension T: CaseIterable {} #endif" >&2
    fi
}

# Undefined symbols an object may have: memory routines and compiler-rt helpers for
# double-word shifts and bit counts (32-bit targets). A root task links these from its C
# library / libgcc / compiler-rt. Anything else (malloc, swift_*, __udivdi3, ...) fails.
ALLOWED_UNDEFINED="memset memcpy memmove
    __aeabi_memclr __aeabi_memclr4 __aeabi_memclr8 __aeabi_memset __aeabi_memset4 __aeabi_memset8
    __aeabi_memcpy __aeabi_memcpy4 __aeabi_memcpy8 __aeabi_memmove __aeabi_memmove4 __aeabi_memmove8
    __aeabi_llsl __aeabi_llsr __ashldi3 __lshrdi3 __clzsi2 __ctzsi2 __clzdi2 __ctzdi2"
# i686 only: position-independent code computes addresses from the GOT base, a symbol every
# ELF linker defines (no GOT entries or dynamic relocations are involved).
allowed_undefined() {
    case $1 in i686-*) echo "$ALLOWED_UNDEFINED _GLOBAL_OFFSET_TABLE_" ;; *) echo "$ALLOWED_UNDEFINED" ;; esac
}

# Operand / mnemonic patterns that mean FP or SIMD registers, per ISA (llvm-objdump syntax;
# symbol names in <...> are removed first).
fp_pattern() {
    case $1 in
        aarch64-*)       echo '^f|(^|[^a-z0-9_])[bhsdqvz][0-9]+([^0-9a-z_]|$)' ;;   # fmov; v0, q1, d2
        armv7-*)         echo '^v|(^|[^a-z0-9_])[sdq][0-9]+([^0-9a-z_]|$)' ;;       # vmov; s0, d1, q2
        x86_64-* | i686-*) echo '^f|%([xyz]?mm|st)' ;;                              # x87; %xmm0, %mm0, %st
        riscv*)          echo '^f[a-df-z]|(^|[^a-z0-9_])(f[tsa]?[0-9]+|v[0-9]+)([^0-9a-z_]|$)' ;; # fld (not fence); ft0, fa1, v2
    esac
}

# ---- Tools ------------------------------------------------------------------------------------
# The toolchain's bin directory: $SWIFT_BIN, else where swiftc on PATH lives (following
# symlinks, or asking swiftc for its resource directory, which also sees through shims),
# else /opt/swift/usr/bin. The first one holding every tool wins.
has_tools() {
    local tool
    for tool in swiftc clang ld.lld llvm-nm llvm-objdump; do [ -x "$1/$tool" ] || return 1; done
}
candidates=()
[ -z "${SWIFT_BIN:-}" ] || candidates+=("$SWIFT_BIN")
if command -v swiftc >/dev/null 2>&1; then
    candidates+=("$(dirname "$(readlink -f "$(command -v swiftc)")")")
    resources=$(swiftc -print-target-info 2>/dev/null | sed -n 's/.*"runtimeResourcePath": "\(.*\)".*/\1/p' || true)
    [ -z "$resources" ] || candidates+=("$resources/../../bin")
fi
candidates+=(/opt/swift/usr/bin)
BIN=""
for c in "${candidates[@]}"; do
    if has_tools "$c"; then BIN=$(cd "$c" && pwd); break; fi
done
[ -n "$BIN" ] || die "no Swift toolchain with swiftc, clang, ld.lld, llvm-nm and llvm-objdump found" \
    "(looked in: ${candidates[*]}); set SWIFT_BIN to the toolchain's usr/bin"
SWIFTC=$BIN/swiftc CLANG=$BIN/clang LLD=$BIN/ld.lld NM=$BIN/llvm-nm OBJDUMP=$BIN/llvm-objdump
for t in "${TARGETS[@]}"; do
    q=$(qemu_for "$t")
    command -v "$q" >/dev/null 2>&1 || die "$q not found: install qemu-user (apt-get install -y qemu-user)"
done
echo "toolchain: $("$SWIFTC" --version 2>&1 | head -1)  ($BIN)"

rm -rf "$OUT"
mkdir -p "$OUT"
SOURCES=("$SRC"/*.swift)
[ -f "$SRC/CABI.swift" ] || die "Sources/UntypedCore/CABI.swift missing"

# ---- Test vectors are up to date ---------------------------------------------------------------
step "vectors: regenerate and compare with embedded/vectors.h"
"$SWIFTC" -O "$EMB/gen-vectors.swift" -o "$OUT/gen-vectors" >"$OUT/gen-vectors.log" 2>&1 ||
    { cat "$OUT/gen-vectors.log"; die "embedded/gen-vectors.swift does not compile"; }
"$OUT/gen-vectors" >"$OUT/vectors.h"
cmp -s "$OUT/vectors.h" "$EMB/vectors.h" ||
    die "embedded/vectors.h is stale: regenerate with: $OUT/gen-vectors > embedded/vectors.h"

# ---- Header: strict C99 on every target --------------------------------------------------------
step "header: include/untyped_alloc.h as C99 -Wall -Wextra -Werror -pedantic (host and 6 targets)"
"$CLANG" -std=c99 -Wall -Wextra -Werror -pedantic -I"$ROOT/include" -c "$EMB/header_check.c" \
    -o "$OUT/header_check-host.o" || die "header check (host)"
for t in "${TARGETS[@]}"; do
    # shellcheck disable=SC2046
    "$CLANG" --target="$t" -ffreestanding $(target_flags "$t") -std=c99 -Wall -Wextra -Werror -pedantic \
        -I"$ROOT/include" -c "$EMB/header_check.c" -o "$OUT/header_check-$t.o" || die "header check ($t)"
done

# Prototypes, normalised: no SWIFT_* macros or nullability, `T const *` as `const T *`,
# untyped_word_t spelled size_t (the same type: header_check.c), minimal whitespace.
normalise() {
    sed -E -e 's/SWIFT_[A-Z_]+(\([^)]*\))?//g' -e 's/_Nonnull|_Nullable|_Null_unspecified//g' \
        -e 's/([A-Za-z_][A-Za-z0-9_]*) const \*/const \1 */g' -e 's/\buntyped_word_t\b/size_t/g' \
        -e 's/[[:space:]]+/ /g' -e 's/ ?([(),;*]) ?/\1/g' -e 's/^ //; s/ $//'
}
# Function declarations of the hand-written header (comments removed, one per line).
tr '\n' ' ' <"$ROOT/include/untyped_alloc.h" | sed -E 's:/\*([^*]|\*+[^*/])*\*+/: :g' |
    grep -oE '[A-Za-z_][A-Za-z0-9_]* +[A-Za-z_][A-Za-z0-9_]* *\([^()]*\) *;' | normalise | sort \
    >"$OUT/prototypes-hand.txt"
[ -s "$OUT/prototypes-hand.txt" ] || die "no prototypes found in include/untyped_alloc.h"

# ---- Per target: compile, inspect, link the harness, run ---------------------------------------
SWIFT_FLAGS=(-enable-experimental-feature Embedded -wmo -parse-as-library -Osize -no-allocations
             -Xfrontend -disable-stack-protector -Xfrontend -function-sections -module-name UntypedCore)
HARNESS_CFLAGS=(-O2 -ffreestanding -fno-pic -fno-builtin -fno-stack-protector -fno-unwind-tables
                -fno-asynchronous-unwind-tables -Wall -Wextra -Werror -I"$ROOT/include" -I"$EMB")
SIZES=$OUT/sizes.txt
: >"$SIZES"

for t in "${TARGETS[@]}"; do
    d=$OUT/$t
    mkdir -p "$d"
    read -r -a cflags <<<"$(target_flags "$t")"
    xcc=()
    for f in "${cflags[@]}"; do xcc+=(-Xcc "$f"); done

    step "$t: compile (flags: ${cflags[*]})"
    if ! "$SWIFTC" -target "$t" "${SWIFT_FLAGS[@]}" "${xcc[@]}" -emit-object -o "$d/UntypedCore.o" \
        -emit-clang-header-path "$d/UntypedCore-Swift.h" "${SOURCES[@]}" >"$d/swiftc.log" 2>&1; then
        cat "$d/swiftc.log"
        compile_hints "$d/swiftc.log"
        die "$t: Embedded Swift compilation failed (diagnostics above)"
    fi

    # Generated vs hand-written prototypes.
    grep '^SWIFT_EXTERN' "$d/UntypedCore-Swift.h" | normalise | sort >"$d/prototypes-generated.txt"
    if ! diff -u "$OUT/prototypes-hand.txt" "$d/prototypes-generated.txt" >"$d/prototypes.diff"; then
        cat "$d/prototypes.diff"
        die "$t: include/untyped_alloc.h does not match the generated header (- hand-written, + generated)"
    fi

    # Undefined symbols.
    bad=""
    for sym in $("$NM" -u "$d/UntypedCore.o" | awk '{print $NF}'); do
        case " $(echo $(allowed_undefined "$t")) " in *" $sym "*) ;; *) bad="$bad $sym" ;; esac
    done
    [ -z "$bad" ] || die "$t: undefined symbols outside the allow-list:$bad"

    # x86_64: PC-relative relocations only (fits the kernel code model and any load address).
    if [ "$t" = x86_64-unknown-none-elf ]; then
        relocs=$("$OBJDUMP" -r "$d/UntypedCore.o" | awk '$2 ~ /^R_X86_64_/ {print $2}' | sort -u |
            grep -vxE 'R_X86_64_(PC32|PLT32)' || true)
        [ -z "$relocs" ] || die "$t: relocations other than PC-relative: $relocs"
    fi

    # No static initialisers, no FP/SIMD registers.
    sections=$("$OBJDUMP" -h "$d/UntypedCore.o" | awk '$1 ~ /^[0-9]+$/ {print $2}')
    initialisers=$(echo "$sections" | grep -E '^\.(init_array|ctors|preinit_array)' || true)
    [ -z "$initialisers" ] || die "$t: the object has static initialisers: $initialisers"
    "$OBJDUMP" -d --no-show-raw-insn "$d/UntypedCore.o" >"$d/UntypedCore.dis"
    awk -F'\t' 'NF >= 2 && $1 ~ /^ *[0-9a-f]+:/ {print $2 "\t" $3}' "$d/UntypedCore.dis" |
        sed -E 's/<[^>]*>//g' | grep -E "$(fp_pattern "$t")" >"$d/fp-instructions.txt" || true
    [ ! -s "$d/fp-instructions.txt" ] ||
        { head -5 "$d/fp-instructions.txt"; die "$t: FP/SIMD instructions in the object (see $d/UntypedCore.dis)"; }

    # Section sizes: the object, and what a root task keeps of it when linking with
    # --gc-sections (the three entry points and what they reference).
    "$LLD" -r --gc-sections -e untyped_alloc_init -u untyped_alloc_next_step -u untyped_alloc_confirm \
        -o "$d/UntypedCore-kept.o" "$d/UntypedCore.o" || die "$t: ld.lld -r --gc-sections failed"
    needs=$("$NM" -u "$d/UntypedCore-kept.o" | awk '{print $NF}' | paste -sd, -)
    echo "$t $(section_sizes "$d/UntypedCore.o") $(section_sizes "$d/UntypedCore-kept.o") ${needs:-none}" >>"$SIZES"

    # Harness: static, freestanding Linux executable; unused sections dropped.
    step "$t: link the harness and run it under $(qemu_for "$t")"
    "$CLANG" --target="$t" "${cflags[@]}" "${HARNESS_CFLAGS[@]}" -std=c99 -pedantic \
        -c "$EMB/harness.c" -o "$d/harness.o" || die "$t: harness.c does not compile"
    "$CLANG" --target="$t" "${cflags[@]}" "${HARNESS_CFLAGS[@]}" -std=gnu99 \
        -c "$EMB/start.c" -o "$d/start.o" || die "$t: start.c does not compile"
    "$LLD" -static -e _start --gc-sections -o "$d/harness" "$d/start.o" "$d/harness.o" "$d/UntypedCore.o" \
        >"$d/ld.log" 2>&1 || { cat "$d/ld.log"; die "$t: linking the harness failed"; }
    runtime=$("$NM" "$d/harness" | awk '{print $NF}' | grep '^swift_' || true)
    [ -z "$runtime" ] || die "$t: the C ABI reaches Swift runtime functions: $(echo $runtime)"
    rc=0
    timeout 300 "$(qemu_for "$t")" "$d/harness" >"$d/output.txt" 2>"$d/qemu.log" || rc=$?
    [ "$rc" -ne 124 ] || die "$t: the harness did not finish within 300 s"
    [ "$rc" -eq 0 ] || { tail -5 "$d/output.txt"; cat "$d/qemu.log"; die "$t: harness exited with status $rc"; }
done

# ---- Reference: the same harness on this machine, ordinary Swift at -Onone ------------------
for bits in 64 32; do
    step "host reference, $bits-bit words (non-Embedded swiftc -Onone)"
    d=$OUT/host$bits
    mkdir -p "$d"
    defs=() sdefs=()
    if [ "$bits" = 32 ]; then defs=(-DHARNESS_WORD32) sdefs=(-D UNTYPED_CABI_WORD32); fi
    "$CLANG" -O1 -std=c99 -pedantic -Wall -Wextra -Werror -I"$ROOT/include" -I"$EMB" "${defs[@]}" \
        -c "$EMB/harness.c" -o "$d/harness.o" || die "host harness.c"
    "$CLANG" -O1 -std=gnu99 -Wall -Wextra -Werror -DHARNESS_HOSTED -c "$EMB/start.c" -o "$d/start.o" ||
        die "host start.c"
    "$SWIFTC" -Onone -parse-as-library -module-name UntypedCore "${sdefs[@]}" "${SOURCES[@]}" \
        "$d/harness.o" "$d/start.o" -o "$d/harness" >"$d/swiftc.log" 2>&1 ||
        { cat "$d/swiftc.log"; die "host reference ($bits-bit) does not build"; }
    rc=0
    "$d/harness" >"$d/output.txt" || rc=$?
    [ "$rc" -eq 0 ] || { grep -m5 'EXPECTATION' "$d/output.txt" || true; die "host reference ($bits-bit) exited with status $rc"; }
done

# ---- Compare -------------------------------------------------------------------------------------
step "compare each ISA with the host reference of its word width"
for t in "${TARGETS[@]}"; do
    bits=$(word_bits "$t")
    ref=$OUT/host$bits/output.txt
    out=$OUT/$t/output.txt
    if ! cmp -s "$ref" "$out"; then
        diff "$ref" "$out" | head -20
        die "$t: output differs from the host reference ($ref vs $out)"
    fi
    read -r n _ m _ < <(tail -1 "$out")
    echo "PASS $t $n vectors, $m steps"
done

echo
printf '%-24s %7s %7s %7s %7s  | %7s %7s %7s %7s  %s\n' "bytes" .text .rodata .data .bss .text .rodata .data .bss undefined
printf '%-24s %31s  | %31s\n' "" "UntypedCore.o (all)" "kept by --gc-sections"
while read -r t a b c e f g h i u; do
    printf '%-24s %7d %7d %7d %7d  | %7d %7d %7d %7d  %s\n' "$t" "$a" "$b" "$c" "$e" "$f" "$g" "$h" "$i" "$u"
done <"$SIZES"
echo "embedded/build.sh: OK in $(($(date +%s) - START)) s"
