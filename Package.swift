// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Accord",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "accord", targets: ["accord"]),
        .library(name: "AccordCore", targets: ["AccordCore"]),
        .library(name: "AccordStore", targets: ["AccordStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .target(
            name: "AccordCore",
            dependencies: ["CSodium", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordStore",
            dependencies: ["AccordCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordSync",
            dependencies: [
                "AccordCore", "AccordStore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordServer",
            dependencies: [
                "AccordCore", "AccordStore", "AccordSync", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"), .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: swiftSettings
        ),
        // The workloads of `accord bench`, apart from the product's code.
        .target(
            name: "AccordBench",
            dependencies: [
                "AccordCore", "AccordStore", "AccordSync", "AccordServer",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "accord",
            dependencies: [
                "AccordCore", "AccordStore", "AccordSync", "AccordServer", "AccordBench",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The seed records, compiled into the binary (Events/seed/resolutions.json links here).
            resources: [.embedInCode("Resources/resolutions.json")],
            swiftSettings: swiftSettings
        ),
        // Writes the golden event vectors in Events/vectors (maintainers: `swift run accord-vectors`).
        .executableTarget(
            name: "accord-vectors", dependencies: ["AccordCore", "AccordStore"], path: "Sources/AccordVectors",
            swiftSettings: swiftSettings),
        // The fuzzing entry point (.ci/fuzz builds it with libFuzzer; a plain build replays inputs).
        .executableTarget(name: "AccordFuzz", dependencies: ["AccordCore"], swiftSettings: swiftSettings),
        // What several test targets share: temporary directories, the seed file, a node on a loopback port.
        .target(
            name: "AccordTestSupport",
            dependencies: [
                "AccordServer", "AccordStore", "AccordSync", "AccordCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ], path: "Tests/AccordTestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "AccordCoreTests", dependencies: ["AccordCore", "AccordTestSupport"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(
            name: "AccordStoreTests", dependencies: ["AccordStore", "AccordCore", "AccordTestSupport"], exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AccordSyncTests",
            dependencies: [
                "AccordSync", "AccordServer", "AccordStore", "AccordCore", "AccordTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ], swiftSettings: swiftSettings),
        .testTarget(
            name: "AccordServerTests",
            dependencies: [
                "AccordServer", "AccordStore", "AccordCore", "AccordTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ], swiftSettings: swiftSettings),
        // Runs the built `accord` binary as a user would.
        .testTarget(
            name: "AccordCLITests",
            dependencies: [
                "accord", "AccordStore", "AccordSync", "AccordCore", "AccordTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ], swiftSettings: swiftSettings),
    ]
)
