import FuzzSupport
import HTTPTypes

@testable import UsageMock

/// The router's path matching and decoding: `RequestTarget`, `PathPattern` and the
/// router behind `MockApplication.respond(to:)`.
///
/// The input is a request target as libmicrohttpd hands it over (`/path?query`, raw).
/// Checked: no trap; a parsed target is origin-form, its raw path the input's up to
/// `?`/`#`, and re-encoding its decoded segments parses back to the same segments;
/// `PathPattern.match` agrees with an independent comparison; the whole application
/// answers within the contract for every method and key.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzSupport.bytes(data, size)
    // The server gets the target through String(cString:): no NUL, UTF-8 repaired.
    let target = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)

    if let parsed = try? RequestTarget(target) {
        // Delimiters are bytes, not Characters: a combining mark after `/` does not hide it.
        let utf8 = target.utf8
        let beforeFragment = utf8.split(separator: UInt8(ascii: "#"), maxSplits: 1, omittingEmptySubsequences: false)[0]
        let path = Substring(beforeFragment.split(separator: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false)[0])
        precondition(
            parsed.rawPath == path && path.utf8.first == UInt8(ascii: "/"),
            "rawPath \(parsed.rawPath.debugDescription) of \(target.debugDescription)")
        precondition(
            parsed.segments.count == path.utf8.count(where: { $0 == UInt8(ascii: "/") }), "segment count of \(target.debugDescription)")
        let reencoded = "/" + parsed.segments.map(FuzzSupport.percentEncode).joined(separator: "/")
        guard let again = try? RequestTarget(reencoded) else {
            preconditionFailure("re-encoded \(reencoded.debugDescription) does not parse")
        }
        precondition(again.segments == parsed.segments, "re-encoding changed the segments of \(target.debugDescription)")

        for pattern in patterns {
            let matched = pattern.match(parsed)
            let literals = pattern.description.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            var expected = literals.count == parsed.segments.count
            var names: [String: String] = [:]
            if expected {
                for (literal, segment) in zip(literals, parsed.segments) {
                    if literal.hasPrefix("{") {
                        expected = expected && !segment.isEmpty
                        names[String(literal.dropFirst().dropLast())] = segment
                    } else {
                        expected = expected && literal == segment
                    }
                }
            }
            precondition((matched != nil) == expected && (matched == nil || matched == names), "\(pattern) on \(parsed.segments)")
        }
    }

    for method in methods {
        for key in [nil] + FuzzSupport.keys {
            FuzzSupport.respond(
                method: method, target: target, key: key, context: "\(method) \(target.debugDescription) key \(key ?? "none")")
        }
    }
    return 0
}

private let patterns = [
    "/usage/current_balance", "/usage/points_history", "/v1/billing/usage-history",
    "/users/{user_id}/credits/usage", "/api/v1/usage", "/__admin/health",
].map(PathPattern.init)

private let methods: [HTTPRequest.Method] = [.get, .post, .delete, HTTPRequest.Method("TRACE")!]
