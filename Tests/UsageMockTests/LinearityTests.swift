import Foundation
import Testing

@testable import UsageMock

/// Every parser's work grows in step with its input (issue 14, item 3): each is timed at
/// 1× and 10× input, the fastest of five runs each. Linear work takes about 10 times as
/// long; the bound of 30 leaves room for a busy machine, and quadratic work (100 times:
/// a duplicate-field scan made a 0.9 MB Klaim body cost 17 s) is far past it.
///
/// Not under a sanitizer (`make sanitize` sets USAGEMOCK_SANITIZER): its instrumentation
/// changes what the work costs, and a thread sanitizer run once took 46× on the Klaim
/// body while every plain run stays far below 30×.
@Suite(.serialized, .disabled(if: ProcessInfo.processInfo.environment["USAGEMOCK_SANITIZER"] != nil, "timings under a sanitizer"))
struct LinearityTests {
    static let allowedRatio = 30.0

    /// Seconds for the fastest of five runs of `work` on `input`.
    private func fastest<Input>(_ input: Input, _ work: (Input) throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<5 {
            let start = ContinuousClock.now
            try work(input)
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return best
    }

    private func expectLinear<Input>(_ what: String, small: Input, large: Input, _ work: (Input) throws -> Void) rethrows {
        let ratio = try fastest(large, work) / fastest(small, work)
        #expect(ratio < Self.allowedRatio, "\(what): 10× the input took \(ratio)× the time")
    }

    /// `{"k0":0,"k1":1,…}`: distinct fields, each checked against those before it.
    private func objectWithFields(_ count: Int) -> [UInt8] {
        Array(("{" + (0..<count).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}").utf8)
    }

    @Test func klaimBodyWithManyFields() throws {
        try expectLinear("Klaim body", small: objectWithFields(5_000), large: objectWithFields(50_000)) {
            _ = try KlaimProvider.RequestBody($0)
        }
    }

    @Test func strictJSONWithManyFields() throws {
        try expectLinear("StrictJSON", small: objectWithFields(5_000), large: objectWithFields(50_000)) {
            _ = try StrictJSON.parse($0)
        }
    }

    @Test func queryWithManyParameters() {
        func query(_ count: Int) -> String { (0..<count).map { "p\($0)=\($0)" }.joined(separator: "&") }
        expectLinear("query", small: query(5_000), large: query(50_000)) { text in
            let target = try? RequestTarget("/api/v1/usage?" + text)
            #expect(target?.query.pairs.count ?? 0 > 0)
            _ = try? target?.query.integer(SybilionProvider.page)
        }
    }

    @Test func scenarioWithManyEntries() throws {
        func scenario(_ count: Int) -> Data {
            let entries = (0..<count).map {
                #"{"creation_time":\#(1_795_262_400_000_000 - $0),"bot_name":"b","query_id":"q\#($0)","usage_type":"API","cost_points":1}"#
            }
            return Data(
                ScenarioTests.scenario(#""poe":{"accounts":[{"keys":["k"],"balance":1,"entries":[\#(entries.joined(separator: ","))]}]}"#)
                    .utf8)
        }
        try expectLinear("scenario", small: scenario(2_000), large: scenario(20_000)) {
            _ = try ScenarioLoader.load(json: $0, file: "many.json")
        }
    }
}
