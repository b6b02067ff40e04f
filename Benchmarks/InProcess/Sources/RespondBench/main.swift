// Nanoseconds per MockApplication.respond(to:) for the endpoints bench.sh measures over
// sockets, on the embedded default scenario, with the server's defaults (journal of
// 1000, CORS on, access log on: its lines go to stderr, written by a thread of their own
// as the server's flusher writes them, so send stderr to /dev/null).
// The wrk figures mix usagemock's own work with the kernel's and wrk's on shared
// cores; this isolates the first and is steady from run to run.
//
//   RespondBench [--threads N | --flush-inline] [ROUNDS [CALLS [ID]]]
//       prints "id ns_per_request status body_bytes" per endpoint (only endpoint ID when
//       given, e.g. under callgrind): the best of ROUNDS (default 7) rounds of CALLS
//       (40000). With --threads N (default 1), N threads call it at once, each as its
//       own server worker, and a round's time is the slowest thread's: against one
//       thread, what the workers' sharing of the scenario's objects costs each of them.
//       With --flush-inline, the one thread writes the log out itself every 1000 calls:
//       under valgrind, where threads take turns, a flusher thread falls behind and
//       lines would be dropped (respond-instructions.sh counts this way).
import Dispatch
import Foundation
import HTTPServerCore
import HTTPTypes
import Synchronization
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
    func request(worker: Int = 0) -> ServerRequest {
        var fields: HTTPFields = [HTTPField.Name("Host")!: "127.0.0.1:8080", .authorization: authorization]
        if !body.isEmpty {
            fields[.contentType] = "application/json"
            fields[.contentLength] = String(body.count)
        }
        var request = ServerRequest(
            head: HTTPRequest(method: method, scheme: nil, authority: nil, path: target, headerFields: fields), body: body)
        request.worker = worker
        return request
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

var arguments = Array(CommandLine.arguments.dropFirst())
let flag = arguments.firstIndex(of: "--threads")
let threads = flag.flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil } ?? 1
precondition(threads > 0, "usage: RespondBench [--threads N] [ROUNDS [CALLS [ID]]]")
if let flag { arguments.removeSubrange(flag...min(flag + 1, arguments.count - 1)) }
let flushesInline = arguments.contains("--flush-inline")
precondition(!flushesInline || threads == 1, "--flush-inline is for one thread")
arguments.removeAll { $0 == "--flush-inline" }
let numbers = arguments.compactMap { Int($0) }
let rounds = numbers.first ?? 7
let calls = numbers.dropFirst().first ?? 40_000
let only = arguments.dropFirst(2).first

// As `serve` sets it: local time for the log's timestamps without a stat per line.
setenv("TZ", ":/etc/localtime", 0)
let accessLog = BatchedStandardError()
let application = MockApplication(scenario: ScenarioLoader.loadDefault(), accessLog: accessLog)

/// The access log written out by a thread of its own, as the server's flusher does it
/// (every 50 ms there; here every 2 ms, which keeps the buffers far from full at a
/// million lines a second, so every line is written and none dropped). When a worker
/// did it every 1000 calls, with two workers that one spent about 0.7 µs per call in
/// it, waiting on the other's buffer: not what the server does.
if !flushesInline {
    Thread {
        while true {
            accessLog.flush()
            usleep(2000)
        }
    }.start()
}

/// `calls` answers to `endpoint` as worker `worker`; the response bytes, so none is optimised away.
func answer(_ endpoint: Endpoint, worker: Int) -> Int {
    let request = endpoint.request(worker: worker)
    var bytes = 0
    for call in 0..<calls {
        bytes &+= application.respond(to: request).body.count
        if flushesInline, call % 1000 == 999 { accessLog.flush() }
    }
    return bytes
}

for endpoint in endpoints where only == nil || endpoint.id == only {
    let first = application.respond(to: endpoint.request())
    var best = Double.infinity
    for _ in 0..<rounds {
        let started = Atomic<Int>(0)
        let bytes = Atomic<Int>(0)
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            // Every thread starts once all are running.
            started.add(1, ordering: .acquiringAndReleasing)
            while started.load(ordering: .acquiring) < threads {}
            bytes.add(answer(endpoint, worker: worker), ordering: .relaxed)
        }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / Double(calls))
        precondition(bytes.load(ordering: .relaxed) > 0)
    }
    print(endpoint.id, Int(best.rounded()), first.head.status.code, first.body.count)
}
let dropped = accessLog.droppedLines
precondition(dropped == 0, "the access log dropped \(dropped) lines: flush more often")
