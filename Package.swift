// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "usagemock",
    products: [
        .executable(name: "usagemock", targets: ["usagemock"]),
        .library(name: "UsageMock", targets: ["UsageMock", "HTTPServerCore"]),
    ],
    traits: [
        .trait(name: "LiveChecks", description: "usagemock verify and record: an HTTPS client (AsyncHTTPClient, SwiftNIO, BoringSSL)"),
        .default(enabledTraits: ["LiveChecks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // verify/record talk HTTPS to the real APIs; see docs/keeping-honest.md for why not URLSession.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // libmicrohttpd, found through pkg-config: a module map and a shim header only.
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        // What a server hands a responder and gets back, the responder protocol, the
        // server's settings and a checked lock: plain Swift with no libmicrohttpd, so
        // UsageMock, the fuzzers and the in-process benchmarks build without it (as
        // NIOCore is to NIOPosix).
        .target(
            name: "HTTPServerCore",
            dependencies: [
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // The only module that calls libmicrohttpd, and the owner of its pointers. (UsageMock
        // and HTTPServerCore have unsafe byte writers and scanners of their own: see
        // docs/development.md.)
        .target(
            name: "MicroHTTPDServer",
            dependencies: [
                "CMicroHTTPD", "HTTPServerCore",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // Routing, providers, scenarios and admin routes: plain Swift, testable without sockets.
        .target(
            name: "UsageMock",
            dependencies: [
                "HTTPServerCore",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            // The default scenario, compiled into the binary (`PackageResources`): a link
            // to Scenarios/default.json, so the file users read is the one served. The
            // dashboard at /__admin/: one HTML file with its CSS and JavaScript.
            resources: [.embedInCode("Resources/default.json"), .embedInCode("Resources/dashboard.html")]
        ),
        .executableTarget(
            name: "usagemock",
            dependencies: [
                "UsageMock",
                "HTTPServerCore",
                "MicroHTTPDServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client", condition: .when(traits: ["LiveChecks"])),
                .product(name: "NIOCore", package: "swift-nio", condition: .when(traits: ["LiveChecks"])),
                .product(name: "NIOSSL", package: "swift-nio-ssl", condition: .when(traits: ["LiveChecks"])),
            ]
        ),
        // A TCP client that sends exact bytes, for the tests that go over a real socket.
        .target(name: "SocketTestSupport", path: "Tests/SocketTestSupport"),
        .testTarget(
            name: "UsageMockTests",
            dependencies: [
                "UsageMock", "HTTPServerCore", "MicroHTTPDServer", "SocketTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "LiveServerTests",
            dependencies: [
                "UsageMock", "HTTPServerCore", "MicroHTTPDServer", "SocketTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ]
)
