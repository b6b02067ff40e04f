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

    public init(_ target: String) throws(ParseError) {
        let withoutFragment = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = withoutFragment.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts[0]
        guard path.first == "/" else { throw .notOriginForm }
        var segments: [String] = []
        for rawSegment in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let segment = PercentDecoding.decode(rawSegment) else { throw .invalidPercentEncoding }
            segments.append(segment)
        }
        self.rawPath = String(path)
        self.segments = segments
        self.query = QueryParameters(query: parts.count > 1 ? parts[1] : "")
    }
}
