// swift-tools-version:6.1
// Allocations per request on usagemock's request path, as thresholds committed in
// Thresholds/ and checked by `make bench-allocations` (see docs/performance.md).
// package-benchmark (ordo-one/benchmark) counts malloc calls through its
// MallocInterposer trait; no jemalloc. A package of its own, so the product's build
// (the root Package.swift) neither depends on it nor builds it.
import PackageDescription

let package = Package(
    name: "usagemock-allocation-bench",
    platforms: [.macOS(.v14)],
    dependencies: [
        // The library only: no LiveChecks trait, so no HTTPS client to resolve or build.
        .package(name: "usagemock", path: "../..", traits: []),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The plugin finds benchmark targets under Benchmarks/ of this package.
        .executableTarget(
            name: "RequestAllocations",
            dependencies: [
                .product(name: "UsageMock", package: "usagemock"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/RequestAllocations",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
