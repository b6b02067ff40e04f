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
    /// delimiters are ASCII, and this runs on every request).
    public init(_ target: String) throws(ParseError) {
        let utf8 = target.utf8
        let end = utf8.firstIndex(of: UInt8(ascii: "#")) ?? utf8.endIndex
        let queryMark = utf8[..<end].firstIndex(of: UInt8(ascii: "?"))
        let path = target[..<(queryMark ?? end)]
        guard path.utf8.first == UInt8(ascii: "/") else { throw .notOriginForm }
        var segments: [String] = []
        var segmentStart = path.utf8.index(after: path.startIndex)
        while true {
            let segmentEnd = path.utf8[segmentStart...].firstIndex(of: UInt8(ascii: "/")) ?? path.endIndex
            guard let segment = PercentDecoding.decode(path[segmentStart..<segmentEnd]) else { throw .invalidPercentEncoding }
            segments.append(segment)
            guard segmentEnd < path.endIndex else { break }
            segmentStart = path.utf8.index(after: segmentEnd)
        }
        self.rawPath = String(path)
        self.segments = segments
        self.query = QueryParameters(query: queryMark.map { target[utf8.index(after: $0)..<end] } ?? "")
    }
}
