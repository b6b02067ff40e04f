// Nanoseconds per MockApplication.respond(to:) for the endpoints bench.sh measures over
// sockets, on the embedded default scenario, with the server's defaults (journal of
// 1000, CORS on, access log on: its lines go to stderr, flushed every 1000 calls as the
// server flushes every 50 ms, so send stderr to /dev/null).
// The wrk figures mix usagemock's own work with the kernel's and wrk's on shared
// cores; this isolates the first and is steady from run to run.
//
//   RespondBench [ROUNDS [CALLS [ID]]]  prints "id ns_per_request status body_bytes" per endpoint
//                                       (only endpoint ID when given, e.g. under callgrind):
//                                       the best of ROUNDS (default 7) rounds of CALLS (40000).
import Dispatch
import HTTPServerCore
import HTTPTypes
import UsageMock

#if canImport(Glibc)
import Glibc
#endif

struct Endpoint {
    let id: String
    let method: HTTPRequest.Method
    let target: String
    let authorization: String
    var body: [UInt8] = []

    /// The request as the server hands it over: Host, Authorization and, with a body,
    /// its Content-Type and Content-Length.
    func request() -> ServerRequest {
        var fields: HTTPFields = [HTTPField.Name("Host")!: "127.0.0.1:8080", .authorization: authorization]
        if !body.isEmpty {
            fields[.contentType] = "application/json"
            fields[.contentLength] = String(body.count)
        }
        return ServerRequest(head: HTTPRequest(method: method, scheme: nil, authority: nil, path: target, headerFields: fields), body: body)
    }
}

let endpoints = [
    Endpoint(id: "balance", method: .get, target: "/usage/current_balance", authorization: "Bearer sk_test_poe"),
    Endpoint(id: "poe100", method: .get, target: "/usage/points_history?limit=100", authorization: "Bearer sk_test_poe"),
    Endpoint(id: "hb24", method: .get, target: "/v1/billing/usage-history?limit=24", authorization: "Bearer hb_test_key"),
    Endpoint(
        id: "klaim100", method: .post, target: "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage",
        authorization: "Bearer klaim_test_key", body: Array(#"{"limit":100}"#.utf8)),
    Endpoint(id: "syb200", method: .get, target: "/api/v1/usage?limit=200&sort=created_at&order=asc", authorization: "Bearer sk_ops_test"),
    Endpoint(id: "unauth", method: .get, target: "/usage/current_balance", authorization: "Bearer sk_wrong_key"),
]

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let rounds = arguments.first ?? 7
let calls = arguments.dropFirst().first ?? 40_000
let only = CommandLine.arguments.dropFirst(3).first

// As `serve` sets it: local time for the log's timestamps without a stat per line.
setenv("TZ", ":/etc/localtime", 0)
let accessLog = BatchedStandardError()
let application = MockApplication(scenario: ScenarioLoader.loadDefault(), accessLog: accessLog)

for endpoint in endpoints where only == nil || endpoint.id == only {
    let first = application.respond(to: endpoint.request())
    var best = Double.infinity
    var bytes = 0
    for _ in 0..<rounds {
        let start = DispatchTime.now().uptimeNanoseconds
        for call in 0..<calls {
            bytes &+= application.respond(to: endpoint.request()).body.count
            // As the server's flusher does every 50 ms: every line is written, none dropped.
            if call % 1000 == 999 { accessLog.flush() }
        }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / Double(calls))
    }
    precondition(bytes > 0)
    print(endpoint.id, Int(best.rounded()), first.head.status.code, first.body.count)
}
