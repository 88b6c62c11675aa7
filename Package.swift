// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "untyped",
    products: [
        .executable(name: "untyped", targets: ["untyped"]),
        .library(name: "UntypedCore", targets: ["UntypedCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        // The allocator and the kernel model, generic over a word. No dependencies,
        // no Foundation: the same sources are compiled with Embedded Swift (embedded/build.sh).
        .target(name: "UntypedCore"),
        // libz3 through pkg-config (Debian: libz3-dev). Only the Z3 wrapper imports it.
        .systemLibrary(name: "CZ3", pkgConfig: "z3", providers: [.apt(["libz3-dev"])]),
        // Thin, reference-counted Swift wrapper over the Z3 C API.
        .target(name: "Z3", dependencies: ["CZ3"]),
        // Runs the core symbolically over Z3 bit-vectors and states the proof obligations.
        .target(name: "UntypedVerifier", dependencies: ["UntypedCore", "Z3", "UntypedKit"]),
        // Hosted side: kernel-window catalogue, JSON formats, boot derivation, replay, planner.
        .target(name: "UntypedKit", dependencies: ["UntypedCore"]),
        .executableTarget(name: "untyped", dependencies: [
            "UntypedKit", "UntypedVerifier",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "UntypedCoreTests", dependencies: ["UntypedCore"]),
        // Fixtures/: recorded kernel output and examples, read from the source tree.
        .testTarget(name: "UntypedKitTests", dependencies: ["UntypedKit", "UntypedCore"], exclude: ["Fixtures"]),
        .testTarget(name: "UntypedVerifierTests", dependencies: ["UntypedVerifier", "Z3", "UntypedCore", "UntypedKit"]),
    ],
    swiftLanguageModes: [.v6]
)
