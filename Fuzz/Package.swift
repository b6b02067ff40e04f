// swift-tools-version:6.1
// Fuzz targets for usagemock's parsers: a package of its own, so the root
// Package.swift stays as it is. One libFuzzer executable per parser; see
// scripts/fuzz.sh for how they are built and run.
//
// The parsers are mostly `internal` to UsageMock, so the targets use
// `@testable import UsageMock`: build in the debug configuration, where SwiftPM
// compiles every module with -enable-testing.
import PackageDescription

let package = Package(
    name: "usagemock-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        // The repository root. `name:` pins the package's name for `.product(package:)`
        // below whatever the checkout directory is called.
        .package(name: "usagemock", path: "..")
    ],
    targets: [
        // Checks shared by the targets: the response rules every answer must keep.
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "UsageMock", package: "usagemock")]
        ),
        .executableTarget(name: "FuzzQuery", dependencies: ["FuzzSupport", .product(name: "UsageMock", package: "usagemock")]),
        .executableTarget(name: "FuzzRequestTarget", dependencies: ["FuzzSupport", .product(name: "UsageMock", package: "usagemock")]),
        .executableTarget(name: "FuzzKlaimBody", dependencies: ["FuzzSupport", .product(name: "UsageMock", package: "usagemock")]),
        .executableTarget(name: "FuzzScenario", dependencies: ["FuzzSupport", .product(name: "UsageMock", package: "usagemock")]),
    ]
)
