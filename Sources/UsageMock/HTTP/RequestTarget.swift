/// The request target split into decoded path segments and query parameters.
public struct RequestTarget: Sendable, Equatable {
    /// The path as the client sent it (before decoding, without the query).
    public let rawPath: String
    /// Decoded segments; an encoded `/` stays inside its segment.
    public let segments: [String]
    public let query: QueryParameters

    public enum ParseError: Error, Equatable {
        /// Not origin-form (`/path?query`): absolute-form, `*`, or empty.
        case notOriginForm
        /// A `%` not followed by two hex digits, or decoded bytes that are not UTF-8.
        case invalidPercentEncoding
    }

    /// Splits on the bytes `#`, `?` and `/` (UTF-8 code units, not Characters: the
    /// delimiters are ASCII), walking the target's bytes by offset: this runs on every
    /// request, where String index arithmetic is costly.
    public init(_ target: String) throws(ParseError) {
        var target = target
        (rawPath, segments, query) = try target.withUTF8 { Self.parse($0) }.get()
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<(String, [String], QueryParameters), ParseError> {
        let end = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
        let queryMark = bytes[..<end].firstIndex(of: UInt8(ascii: "?"))
        let pathEnd = queryMark ?? end
        guard pathEnd > 0, bytes[0] == UInt8(ascii: "/") else { return .failure(.notOriginForm) }
        var segments: [String] = []
        segments.reserveCapacity(bytes[..<pathEnd].count { $0 == UInt8(ascii: "/") })
        var segmentStart = 1
        while true {
            let segmentEnd = bytes[segmentStart..<pathEnd].firstIndex(of: UInt8(ascii: "/")) ?? pathEnd
            guard let segment = PercentDecoding.decode(UnsafeBufferPointer(rebasing: bytes[segmentStart..<segmentEnd])) else {
                return .failure(.invalidPercentEncoding)
            }
            segments.append(segment)
            guard segmentEnd < pathEnd else { break }
            segmentStart = segmentEnd + 1
        }
        let rawPath = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<pathEnd]), as: UTF8.self)
        let queryStart = queryMark.map { $0 + 1 } ?? end
        let query = QueryParameters(bytes: UnsafeBufferPointer(rebasing: bytes[queryStart..<end]))
        return .success((rawPath, segments, query))
    }
}
