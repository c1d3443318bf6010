// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "evstore",
    products: [
        .library(name: "EventStore", targets: ["EventStore"]),
        .library(name: "EventModel", targets: ["EventModel"]),
        .library(name: "Projections", targets: ["Projections"]),
        .library(name: "LogImport", targets: ["LogImport"]),
        .executable(name: "evstore", targets: ["evstore"]),
        .executable(name: "evstore-gen", targets: ["evstore-gen"]),
        .executable(name: "evstore-bench", targets: ["evstore-bench"]),
    ],
    targets: [
        // Debian's C libraries, wrapped: a module map and a shim header each.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLZ4", path: "Sources/CLZ4",
                       providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // The event, its wire format, exact money and dates, JSON.
        .target(name: "EventModel"),
        // The segmented log, the SQLite index and the store facade.
        .target(name: "EventStore",
                dependencies: ["EventModel", "CSQLite", "CLZ4", "CZlib"]),
        // Folds, checkpoints, rules, the four read models, CSV export.
        .target(name: "Projections", dependencies: ["EventStore", "EventModel", "CSQLite"]),
        // Real event logs (XES, CSV) mapped to events by declarative mappings.
        .target(name: "LogImport", dependencies: ["EventStore", "EventModel"]),
        // The command-line tool.
        .executableTarget(name: "evstore",
                          dependencies: ["EventStore", "EventModel", "Projections",
                                         "LogImport"]),
        // The deterministic engagement workload generator.
        .executableTarget(name: "evstore-gen", path: "tools/evstore-gen",
                         exclude: ["README.md"]),

        // Fuzz targets: under libFuzzer (tools/fuzz.sh) or, built normally,
        // a replayer of kept inputs.
        .executableTarget(name: "evstore-fuzz",
                          dependencies: ["EventModel", "EventStore", "LogImport", "Projections"],
                          path: "tools/evstore-fuzz"),

        // The benchmark: evstore against a plain SQLite event table.
        .executableTarget(name: "evstore-bench",
                          dependencies: ["EventStore", "EventModel", "Projections", "CSQLite"],
                          path: "Benchmarks/evstore-bench"),

        // What the test targets share: a seeded random generator.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "EventModelTests", dependencies: ["EventModel", "TestSupport"]),
        .testTarget(name: "EventStoreTests",
                    dependencies: ["EventStore", "EventModel", "CZlib", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "ProjectionsTests",
                    dependencies: ["Projections", "EventStore", "EventModel", "TestSupport"]),
        .testTarget(name: "LogImportTests",
                    dependencies: ["LogImport", "EventStore", "EventModel", "Projections"],
                    resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
