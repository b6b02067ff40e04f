// swift-tools-version:6.1
// usagemock's own work per request, without sockets: MockApplication.respond(to:)
// called in a loop, as the server calls it. A package of its own (the root
// Package.swift stays as it is); Benchmarks/bench.sh builds and runs it.
import PackageDescription

let package = Package(
    name: "usagemock-inprocess-bench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "usagemock", path: "../.."),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .executableTarget(
            name: "RespondBench",
            dependencies: [
                .product(name: "UsageMock", package: "usagemock"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        )
    ]
)
