/// The request target: its path, split into segments when routing reads them, and its
/// query parameters.
public struct RequestTarget: Sendable, Equatable {
    /// The path as the client sent it (before decoding, without the query): a slice of
    /// the target, not a copy.
    public let rawPath: Substring
    public let query: QueryParameters

    public enum ParseError: Error, Equatable {
        /// Not origin-form (`/path?query`): absolute-form, `*`, or empty.
        case notOriginForm
        /// A `%` not followed by two hex digits, or decoded bytes that are not UTF-8.
        case invalidPercentEncoding
    }

    /// Splits on the bytes `#`, `?` and `/` (UTF-8 code units, not Characters: the
    /// delimiters are ASCII), walking the target's bytes by offset: this runs on every
    /// request, where String index arithmetic is costly. Segments with a `%` are
    /// decoded once here, to refuse a bad encoding; the others are not copied at all.
    public init(_ target: String) throws(ParseError) {
        var target = target
        let (pathEnd, query) = try target.withUTF8 { Self.parse($0) }.get()
        rawPath = target[..<target.utf8.index(target.startIndex, offsetBy: pathEnd)]
        self.query = query
    }

    /// Decoded segments; an encoded `/` stays inside its segment. Made on each call:
    /// routing reads the segments in place (`forEachSegment`).
    public var segments: [String] {
        var segments: [String] = []
        _ = forEachSegment { segment in
            segments.append(Self.decoded(segment))
            return true
        }
        return segments
    }

    /// Calls `body` with each segment as sent (still percent-encoded), in order, until
    /// it returns false; returns false if it did.
    func forEachSegment(_ body: (Substring) -> Bool) -> Bool {
        var start = rawPath.utf8.index(after: rawPath.startIndex)
        while true {
            let end = rawPath.utf8[start...].firstIndex(of: UInt8(ascii: "/")) ?? rawPath.endIndex
            guard body(rawPath[start..<end]) else { return false }
            guard end < rawPath.endIndex else { return true }
            start = rawPath.utf8.index(after: end)
        }
    }

    /// Whether the first segment, decoded, is `literal`.
    func firstSegmentIs(_ literal: String) -> Bool {
        var matches = false
        _ = forEachSegment { segment in
            matches = Self.segment(segment, is: literal)
            return false
        }
        return matches
    }

    /// Whether a segment as sent decodes to `literal`; decoded only when it has a `%`.
    static func segment(_ segment: Substring, is literal: String) -> Bool {
        segment.utf8.contains(UInt8(ascii: "%")) ? decoded(segment) == literal : segment == literal
    }

    /// A segment as sent, decoded (the parse has checked that it decodes).
    static func decoded(_ segment: Substring) -> String {
        var segment = segment
        return segment.withUTF8 { PercentDecoding.decode($0) } ?? String(segment)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<(Int, QueryParameters), ParseError> {
        let end = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
        let queryMark = bytes[..<end].firstIndex(of: UInt8(ascii: "?"))
        let pathEnd = queryMark ?? end
        guard pathEnd > 0, bytes[0] == UInt8(ascii: "/") else { return .failure(.notOriginForm) }
        var segmentStart = 1
        while true {
            let segmentEnd = bytes[segmentStart..<pathEnd].firstIndex(of: UInt8(ascii: "/")) ?? pathEnd
            let segment = UnsafeBufferPointer(rebasing: bytes[segmentStart..<segmentEnd])
            if segment.contains(UInt8(ascii: "%")), PercentDecoding.decode(segment) == nil {
                return .failure(.invalidPercentEncoding)
            }
            guard segmentEnd < pathEnd else { break }
            segmentStart = segmentEnd + 1
        }
        let queryStart = queryMark.map { $0 + 1 } ?? end
        let query = QueryParameters(bytes: UnsafeBufferPointer(rebasing: bytes[queryStart..<end]))
        return .success((pathEnd, query))
    }
}
