/// Small things every provider's checks share.
enum LiveChecks {
    /// A key no account has, for the 401 checks.
    static let wrongKey = "usagemock-verify-not-a-key"

    /// `text` percent-encoded for a query value: unreserved characters (RFC 3986) as they are.
    static func queryEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return encoded
    }

    /// A finding when a page holds other than `expected` rows.
    static func rowCount(_ exchange: LiveSession.Exchange, _ rows: [StrictJSON], expected: Int, because reason: String) -> Finding? {
        guard rows.count != expected else { return nil }
        return Finding(endpoint: exchange.request.endpoint, path: "rows", expected: "\(expected) (\(reason))", got: "\(rows.count)")
    }

    /// A finding when a field every page repeats (a total, the page size) is not `expected`.
    static func echoed(_ exchange: LiveSession.Exchange, _ path: [String], expected: Int, because reason: String) -> Finding? {
        var value: StrictJSON? = exchange.json
        for key in path { value = value?[key] }
        guard let got = value?.strictInteger, got != expected else { return nil }
        return Finding(
            endpoint: exchange.request.endpoint, path: "$." + path.joined(separator: "."), expected: "\(expected) (\(reason))",
            got: "\(got)")
    }
}
