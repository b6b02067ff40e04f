import FuzzSupport

@testable import UsageMock

/// Query strings and integers: `QueryParameters(query:)`, `parseStrictInteger`, the
/// `integer` / `choice` rules the providers apply, and `PercentDecoding`.
///
/// The input is a query string (what follows `?`). Checked: no trap; the pairs are
/// exactly the non-empty `&` components; `parseStrictInteger` agrees with an
/// independent reading of docs/behaviour.md, common rule 3; percent-decoding inverts percent-encoding;
/// the same query on the four providers' GET routes answers within the contract.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuery(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzSupport.bytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)

    let query = QueryParameters(query: Substring(text))
    // Split on the byte, as the parser does: a combining mark after `&` does not hide it.
    let components = text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true)
    precondition(query.pairs.count == components.count, "pairs \(query.pairs.count) != components \(components.count)")

    checkInteger(text)
    // The rules pair by pair on the first 64 pairs: each rule reads every pair, so on
    // all of a 500-pair query they took seconds per input under ASan (quadratic), and
    // such inputs left the fuzzer a few runs a second.
    for (name, value) in query.pairs.prefix(64) {
        checkInteger(value)
        checkPercentRoundTrip(name)
        checkPercentRoundTrip(value)
        let given = query.values(name)
        precondition(!given.isEmpty)
        do {
            let limit = try query.integer(name, in: 1...100, default: 20)
            precondition(given.count == 1 && (1...100).contains(limit) && parseStrictInteger(given[0]) == limit)
        } catch {
            precondition(
                given.count > 1 || parseStrictInteger(given[0]).map { !(1...100).contains($0) } ?? true,
                "integer(\(name.debugDescription)) refused \(given)")
        }
        if let choice = try? query.choice(name, in: ["asc", "desc"], default: "desc") {
            precondition(given == [choice])
        }
    }

    // The same query on every provider's GET route, through the whole application.
    for (path, key) in [
        ("/usage/points_history", "sk_test_poe"), ("/v1/billing/usage-history", "hb_test_key"),
        ("/api/v1/usage", "sk_ops_test"), ("/usage/current_balance", "sk_test_poe"),
    ] {
        FuzzSupport.respond(method: .get, target: path + "?" + text, key: key, context: "GET \(path)?\(text.debugDescription)")
    }
    return 0
}

/// docs/behaviour.md, common rule 3, read independently: an optional `-`, then one or more ASCII digits,
/// and the value within Int64.
private func checkInteger(_ text: String) {
    let parsed = parseStrictInteger(text)
    var utf8 = Substring(text).utf8[...]
    let negative = utf8.first == UInt8(ascii: "-")
    if negative { utf8 = utf8.dropFirst() }
    var expected: Int?
    if !utf8.isEmpty, utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
        var magnitude: UInt64 = 0
        var overflow = false
        for digit in utf8 {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            overflow = overflow || o1 || o2
            magnitude = sum
        }
        if !overflow {
            if negative, magnitude <= UInt64(Int.max) + 1 {
                expected = magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
            } else if !negative, magnitude <= UInt64(Int.max) {
                expected = Int(magnitude)
            }
        }
    }
    precondition(
        parsed == expected,
        "parseStrictInteger(\(text.debugDescription)) = \(String(describing: parsed)), expected \(String(describing: expected))")
}

/// Decoding an encoded string gives it back, with `+` kept and `+` as space alike.
private func checkPercentRoundTrip(_ text: String) {
    var encoded = FuzzSupport.percentEncode(text)
    encoded.withUTF8 { bytes in
        precondition(PercentDecoding.decode(bytes) == text, "round trip of \(text.debugDescription)")
        precondition(PercentDecoding.decode(bytes, plusIsSpace: true) == text, "round trip (+) of \(text.debugDescription)")
    }
}
