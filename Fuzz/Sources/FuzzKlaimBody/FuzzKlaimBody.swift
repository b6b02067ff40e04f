import FuzzSupport

@testable import UsageMock

/// The Klaim request body: `StrictJSON.parse` and `KlaimProvider.RequestBody`, and the
/// Klaim route answering it.
///
/// The input is a request body. Checked: no trap (nesting is capped, so no stack
/// exhaustion); an error's offset lies within the input; a parsed value nests under
/// the cap, and written back out canonically it parses to the same value; an accepted
/// body has a limit in 1…100; the route answers 200 or 400 (the user exists and the
/// key is right), always with valid JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKlaimBody(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzSupport.bytes(data, size)

    do {
        let value = try StrictJSON.parse(bytes)
        precondition(depth(value) <= StrictJSON.maxDepth, "accepted nesting deeper than the cap")
        let canonical = write(value)
        guard let again = try? StrictJSON.parse(Array(canonical.utf8)) else {
            preconditionFailure("canonical form \(canonical.debugDescription) does not parse")
        }
        precondition(write(again) == canonical, "canonical form changed on a second pass")
    } catch {
        precondition((0...bytes.count).contains(error.offset), "error offset \(error.offset) outside \(bytes.count) bytes")
        precondition(!error.reason.isEmpty)
    }

    if let body = try? KlaimProvider.RequestBody(bytes) {
        precondition((1...100).contains(body.limit), "accepted limit \(body.limit)")
    }

    let response = FuzzSupport.respond(
        method: .post, target: "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", key: "klaim_test_key",
        body: bytes, context: "Klaim body \(String(decoding: bytes.prefix(200), as: UTF8.self).debugDescription)")
    precondition([200, 400].contains(response.head.status.code), "Klaim answered \(response.head.status.code)")
    return 0
}

private func depth(_ value: StrictJSON) -> Int {
    switch value {
    case .object(let members): return 1 + (members.map { depth($0.value) }.max() ?? 0)
    case .array(let elements): return 1 + (elements.map(depth).max() ?? 0)
    default: return 1
    }
}

/// RFC 8259 text for a value: keys in the order given, strings escaped minimally,
/// numbers as written.
private func write(_ value: StrictJSON) -> String {
    switch value {
    case .object(let members): return "{" + members.map { quote($0.key) + ":" + write($0.value) }.joined(separator: ",") + "}"
    case .array(let elements): return "[" + elements.map(write).joined(separator: ",") + "]"
    case .string(let text): return quote(text)
    case .number(let text): return text
    case .bool(let flag): return flag ? "true" : "false"
    case .null: return "null"
    }
}

private func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
