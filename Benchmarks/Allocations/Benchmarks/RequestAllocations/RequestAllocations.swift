// Allocations per request of MockApplication.respond(to:): one request per iteration,
// after a warm-up, on the embedded default scenario with the server's defaults
// (journal of 1000, CORS on, access log on, written to /dev/null). The endpoints are
// Benchmarks/bench.sh's, two smaller pages (poe10, syb20) beside their large ones
// to show whether a page's count depends on its size, and a 401 whose additions are
// not the ones its worker keeps (unauthOther).
//
// `make bench-allocations` checks the p90 of each count against Thresholds/ with no
// tolerance: one allocation more (or fewer) per request fails.
import Benchmark
import HTTPTypes
import UsageMock

#if canImport(Glibc)
import Glibc
#endif

struct Endpoint {
    let id: String
    let request: PreparedRequest
    let status: Int
    /// Sent once before the warm-up, so that what it adds to a prepared answer is what
    /// the worker keeps, and `request`'s addition is made anew each time.
    var keptFirst: PreparedRequest? = nil
}

let endpoints = [
    Endpoint(
        id: "balance", request: PreparedRequest(method: .get, target: "/usage/current_balance", authorization: "Bearer sk_test_poe"),
        status: 200),
    Endpoint(
        id: "unauth", request: PreparedRequest(method: .get, target: "/usage/current_balance", authorization: "Bearer sk_wrong_key"),
        status: 401),
    // A 401 whose reason is not the one its worker keeps (worker 5: no other endpoint's).
    Endpoint(
        id: "unauthOther",
        request: PreparedRequest(method: .get, target: "/usage/current_balance", authorization: "Bearer sk_other_key", worker: 5),
        status: 401,
        keptFirst: PreparedRequest(method: .get, target: "/usage/current_balance", authorization: "Basic x", worker: 5)),
    Endpoint(
        id: "poe10", request: PreparedRequest(method: .get, target: "/usage/points_history?limit=10", authorization: "Bearer sk_test_poe"),
        status: 200),
    Endpoint(
        id: "poe100",
        request: PreparedRequest(method: .get, target: "/usage/points_history?limit=100", authorization: "Bearer sk_test_poe"), status: 200),
    Endpoint(
        id: "hb24",
        request: PreparedRequest(method: .get, target: "/v1/billing/usage-history?limit=24", authorization: "Bearer hb_test_key"),
        status: 200),
    Endpoint(
        id: "klaim100",
        request: PreparedRequest(
            method: .post, target: "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage",
            authorization: "Bearer klaim_test_key", body: #"{"limit":100}"#), status: 200),
    Endpoint(
        id: "syb20",
        request: PreparedRequest(
            method: .get, target: "/api/v1/usage?limit=20&sort=created_at&order=asc", authorization: "Bearer sk_ops_test"), status: 200),
    Endpoint(
        id: "syb200",
        request: PreparedRequest(
            method: .get, target: "/api/v1/usage?limit=200&sort=created_at&order=asc", authorization: "Bearer sk_ops_test"), status: 200),
]

/// The access log as `serve` writes it, but to /dev/null; flushed after each request,
/// outside the measurement, as the server's flusher does every 50 ms.
let accessLog = BatchedStandardError(descriptor: open("/dev/null", O_WRONLY))

let application: MockApplication = {
    // As `serve` sets it: local time for the log's timestamps without a stat per line.
    setenv("TZ", ":/etc/localtime", 0)
    return MockApplication(scenario: ScenarioLoader.loadDefault(), traffic: TrafficOptions(), accessLog: accessLog)
}()

/// Requests before the measurement: they fill the journal (1000 entries) and run any
/// one-time setup on the path, so that a measured request finds the steady state.
let warmUpRequests = 2_000

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.mallocCountTotal, .mallocFreeDelta],
        warmupIterations: 10,
        maxDuration: .seconds(5),
        maxIterations: 1_000,
        // No tolerance: thresholds are absolute counts per request.
        thresholds: [
            .mallocCountTotal: BenchmarkThresholds(absolute: [.p90: 0]),
            .mallocFreeDelta: BenchmarkThresholds(absolute: [.p90: 0]),
        ]
    )

    for endpoint in endpoints {
        Benchmark(
            endpoint.id,
            configuration: .init(setup: {
                _ = endpoint.keptFirst?.send(to: application)
                for _ in 0..<warmUpRequests {
                    let status = endpoint.request.send(to: application)
                    precondition(status == endpoint.status, "\(endpoint.id) answered \(status), expected \(endpoint.status)")
                }
                accessLog.flush()
            })
        ) { benchmark in
            let status = endpoint.request.send(to: application)
            benchmark.stopMeasurement()
            accessLog.flush()
            Benchmark.blackHole(status)
        }
    }
}
