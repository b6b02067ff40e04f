import FuzzSupport
import HTTPServerCore
import HTTPTypes

@testable import UsageMock

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The scenario loader: `ScenarioLoader.load(json:file:)` (Foundation's decoder, the
/// strict field checks, every provider's validation and generators).
///
/// The input is a scenario file. Checked: no trap; a refused scenario names the file,
/// a location and a reason; a loaded one builds an application whose health route
/// answers 200 with valid JSON (the scenario's name is echoed in it).
///
/// Each input is used twice:
/// 1. as the scenario file itself (JSON syntax, the decoder, unknown fields, types);
/// 2. structure-aware: the bytes choose the numbers of a valid scenario template that
///    has every numeric field of every provider (clock, balances, ages, ranges, ids,
///    counts), from edge values (0, ±1, 10^12, 2^62, Int.max, Int.min, …) or raw 64-bit
///    values, and which providers are present. Plain byte mutations of JSON text rarely
///    make a 19-digit number in the right field; this mode reaches the generators'
///    arithmetic at once.
///
/// Generators may legitimately ask for up to 10 million rows, which would only measure
/// the debug build's speed: raw inputs whose `count` fields could ask for more than
/// `maxRows` rows in all are skipped (they are not bugs, just slow); the template keeps
/// its counts small.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenario(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzSupport.bytes(data, size)
    if bytes.count <= 64 * 1024, rowsAskedFor(bytes) <= maxRows {
        load(bytes)
    }
    load(Array(templateScenario(from: bytes).utf8))
    return 0
}

private func load(_ bytes: [UInt8]) {
    let scenario: LoadedScenario
    do {
        scenario = try ScenarioLoader.load(json: Data(bytes), file: "fuzz.json")
    } catch {
        precondition(error.file == "fuzz.json", "error without the file: \(error)")
        precondition(!error.location.isEmpty && !error.reason.isEmpty, "error without location or reason: \(error)")
        return
    }
    precondition(!scenario.name.isEmpty)
    for provider in scenario.providers {
        for (kind, count) in provider.counts { precondition(count >= 0 && !kind.isEmpty) }
    }
    let application = MockApplication(scenario: scenario)
    let head = HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/__admin/health")
    let response = application.respond(to: ServerRequest(head: head))
    precondition(
        response.head.status == .ok && FuzzSupport.isStrictJSON(response.body),
        "health of a loaded scenario: \(response.head.status) \(String(decoding: response.body, as: UTF8.self).debugDescription)")
}

// MARK: Structure-aware mode

/// Reads choices from the fuzz input, then zeros once it runs out.
private struct Choices {
    let bytes: [UInt8]
    var index = 0

    mutating func byte() -> UInt8 {
        defer { index += 1 }
        return index < bytes.count ? bytes[index] : 0
    }

    /// An edge value, or (for bytes from 0xF0) the next eight bytes as a raw Int64.
    mutating func number() -> Int {
        let choice = byte()
        if choice >= 0xF0 {
            var raw: UInt64 = 0
            for _ in 0..<8 { raw = raw << 8 | UInt64(byte()) }
            return Int(truncatingIfNeeded: raw)
        }
        return edges[Int(choice) % edges.count]
    }

    mutating func count() -> Int { [0, 1, 2, 3, 5, 8][Int(byte()) % 6] }
    mutating func seed() -> UInt64 { byte() == 0xFF ? .max : UInt64(byte()) }
}

private let edges: [Int] = [
    0, 1, -1, 2, 5, 59, 100, 999, 1000, 86_400, 2_591_999, 2_592_000, 15_552_000, 3_153_600_000,
    1_795_258_800, 1_795_258_800_000, 1_795_258_800_000_000, 1 << 31, 1 << 32, 1 << 53, 1 << 62,
    1_000_000_000_000, 9_000_000_000_000, 10_000_000_000_000, 1_000_000_000_000_000, 10_000_000_000_000_000,
    1_000_000_000_000_000_000, Int.max, Int.max - 1, Int.max / 1000, Int.max / 1_000_000, Int.min, Int.min + 1,
    -1_000_000_000_000, -(1 << 62),
    // Around the loader's bounds (ScenarioBounds): the largest exact JSON integer, its root, the last instant.
    (1 << 53) - 1, -((1 << 53) - 1), (1 << 53) - 2, 94_906_265, 94_906_266, 253_402_300_799, 253_402_300_799_999,
]

private let clocks = [
    "2026-11-21T12:00:00Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:01Z", "1969-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z", "2024-02-29T23:59:59Z",
]

/// A scenario with every numeric field chosen by the input; its first byte says which
/// providers it has.
private func templateScenario(from bytes: [UInt8]) -> String {
    var c = Choices(bytes: bytes)
    let present = c.byte()
    let clock = clocks[Int(c.byte()) % clocks.count]
    var sections: [String] = []
    if present & 1 != 0 {
        sections.append(
            """
            "poe":{"accounts":[{"keys":["p"],"balance":\(c.number()),"entries":[{"creation_time":\(c.number()),"bot_name":"b","query_id":"q","usage_type":"API","cost_points":\(c.number())}],\
            "generators":[{"seed":\(c.seed()),"count":\(c.count()),"age_seconds":{"min":\(c.number()),"max":\(c.number())},"bot_names":["b"],"cost_points":{"min":\(c.number()),"max":\(c.number())}}]}]}
            """)
    }
    if present & 2 != 0 {
        sections.append(
            """
            "hookbridge":{"accounts":[{"keys":["h"],"months":[{"period_start":"2025-01-01","message_count":\(c.number()),"plan_limit":\(c.number())}],\
            "generators":[{"seed":\(c.seed()),"count":\(c.count()),"end_month":"2024-12","message_count":{"min":\(c.number()),"max":\(c.number())},"plan_limits":[\(c.number()),null]}]}]}
            """)
    }
    if present & 4 != 0 {
        let opening = c.number()
        let change = c.number()
        sections.append(
            """
            "klaim":{"accounts":[{"keys":["k"],"app_id":"a","users":[\
            {"user_id":"u1","opening_balance":\(opening),"records":[{"created_at":\(c.number()),"credit_change":\(change),"credit_balance":\(opening &+ change),"source_type":"s","description":"d"}]},\
            {"user_id":"u2","generator":{"seed":\(c.seed()),"count":\(c.count()),"opening_balance":\(c.number()),"age_seconds":{"min":\(c.number()),"max":\(c.number())},\
            "credit_change":{"min":\(c.number()),"max":\(c.number())},"source_types":["s"],"descriptions":["d"]}}],\
            "user_generators":[{"count":\(c.count()),"user_id_prefix":"g","records":{"seed":\(c.seed()),"count":\(c.count()),"opening_balance":\(c.number()),\
            "age_seconds":{"min":\(c.number()),"max":\(c.number())},"credit_change":{"min":\(c.number()),"max":\(c.number())},"source_types":["s"],"descriptions":["d"]}}]}]}
            """)
    }
    if present & 8 != 0 {
        sections.append(
            """
            "sybilion":{"accounts":[{"keys":["s"],"events":[{"id":\(c.number()),"endpoint":null,"units":\(c.number()),"credits_charged":\(c.number()),"eur_cents_charged":\(c.number()),\
            "created_at":"2026-04-30T10:05:42Z","async_job_id":null}],"generators":[{"seed":\(c.seed()),"count":\(c.count()),"first_id":\(c.number()),\
            "age_seconds":{"min":\(c.number()),"max":\(c.number())},"endpoints":["/a",null],"units":{"min":\(c.number()),"max":\(c.number())},\
            "credits_per_unit":{"min":\(c.number()),"max":\(c.number())},"eur_cents_per_credit":{"min":\(c.number()),"max":\(c.number())},"async_job_percent":\(c.number())}]}]}
            """)
    }
    return #"{"name":"t","clock":"\#(clock)","providers":{"# + sections.joined(separator: ",") + "}}"
}

private let maxRows = 20_000.0

/// An upper bound on the rows the scenario's generators would make: the product of
/// every `count` field (nested generators multiply), or infinity when the input is not
/// JSON the strict parser reads but mentions `count` anyway.
private func rowsAskedFor(_ bytes: [UInt8]) -> Double {
    guard let value = try? StrictJSON.parse(bytes) else {
        return bytes.firstRange(of: Array("count".utf8)) == nil ? 0 : .infinity
    }
    func walk(_ value: StrictJSON) -> Double {
        switch value {
        case .object(let members):
            var own = 1.0
            var nested = 0.0
            for member in members {
                if member.key == "count" {
                    guard case .number(let text) = member.value, let number = Double(text), number.isFinite else { continue }
                    own *= max(1, abs(number))
                } else {
                    nested += walk(member.value)
                }
            }
            return own * max(1, nested)
        case .array(let elements):
            return elements.reduce(0) { $0 + walk($1) }
        default:
            return 0
        }
    }
    return walk(value)
}
