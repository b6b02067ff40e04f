import HTTPServerCore

/// The request target: its path, split into segments when routing reads them, and its
/// query parameters.
public struct RequestTarget: Sendable, Equatable {
    /// The path as the client sent it (before decoding, without the query): a slice of
    /// the target, not a copy.
    public let rawPath: Substring
    /// How many segments the path has (one more than its `/` after the first).
    let segmentCount: Int
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
        let (pathEnd, segmentCount, query) = try target.withUTF8 { Self.parse($0) }.get()
        rawPath = target[..<target.utf8.index(target.startIndex, offsetBy: pathEnd)]
        self.segmentCount = segmentCount
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

    /// Calls `body` with the bytes of each segment as sent (still percent-encoded), in
    /// order, until it returns false; returns false if it did.
    func forEachSegment(_ body: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        var path = rawPath
        return path.withUTF8 { bytes in
            var start = 1
            while true {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.count
                guard body(UnsafeBufferPointer(rebasing: bytes[start..<end])) else { return false }
                guard end < bytes.count else { return true }
                start = end + 1
            }
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

    /// Whether a segment as sent decodes to `literal` (as String's `==` compares them);
    /// decoded only when it has a `%`. Equal bytes are equal Strings, and two ASCII texts
    /// are equal only with equal bytes, so only other text goes through `==`.
    static func segment(_ segment: UnsafeBufferPointer<UInt8>, is literal: String) -> Bool {
        if segment.contains(UInt8(ascii: "%")) { return decoded(segment) == literal }
        var literal = literal
        let decidedByBytes = literal.withUTF8 { literal -> Bool? in
            if segment.hasSameBytes(as: literal) { return true }
            return segment.isASCII && literal.isASCII ? false : nil
        }
        return decidedByBytes ?? (String(decoding: segment, as: UTF8.self) == literal)
    }

    /// A segment as sent, decoded (the parse has checked that it decodes).
    static func decoded(_ segment: UnsafeBufferPointer<UInt8>) -> String {
        PercentDecoding.decode(segment) ?? String(decoding: segment, as: UTF8.self)
    }

    /// One pass over the path's bytes, by offset: counting segments and checking each
    /// one with a `%` as it ends (four passes of `firstIndex`/`contains` over slices cost
    /// more than the rest of routing a balance request).
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<(Int, Int, QueryParameters), ParseError> {
        guard bytes.first == UInt8(ascii: "/") else { return .failure(.notOriginForm) }
        var segmentStart = 1
        var segmentCount = 1
        var segmentHasPercent = false
        var pathEnd = 1
        func segmentDecodes() -> Bool {
            !segmentHasPercent || PercentDecoding.decode(UnsafeBufferPointer(rebasing: bytes[segmentStart..<pathEnd])) != nil
        }
        path: while pathEnd < bytes.count {
            switch bytes[pathEnd] {
            case UInt8(ascii: "?"), UInt8(ascii: "#"):
                break path
            case UInt8(ascii: "/"):
                guard segmentDecodes() else { return .failure(.invalidPercentEncoding) }
                segmentStart = pathEnd + 1
                segmentCount += 1
                segmentHasPercent = false
            case UInt8(ascii: "%"):
                segmentHasPercent = true
            default:
                break
            }
            pathEnd += 1
        }
        guard segmentDecodes() else { return .failure(.invalidPercentEncoding) }
        guard pathEnd < bytes.count, bytes[pathEnd] == UInt8(ascii: "?") else {
            return .success((pathEnd, segmentCount, QueryParameters(bytes: UnsafeBufferPointer(start: nil, count: 0))))
        }
        let queryStart = pathEnd + 1
        let queryEnd = bytes[queryStart...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
        let query = QueryParameters(bytes: UnsafeBufferPointer(rebasing: bytes[queryStart..<queryEnd]))
        return .success((pathEnd, segmentCount, query))
    }
}
