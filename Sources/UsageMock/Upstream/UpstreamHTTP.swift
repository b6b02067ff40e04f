/// One request `usagemock verify` or `record` sends to a live API (the real one, or
/// anything that claims to be it). Only reads: GET, and Klaim's read-only POST.
public struct UpstreamRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public let method: Method
    /// Path and query, as sent.
    public let target: String
    public let body: [UInt8]?
    /// The bearer token sent, or none for a request without `Authorization`.
    public let token: String?

    /// How the request is named in reports: method, target and body, never the token.
    var endpoint: String {
        let name = "\(method.rawValue) \(target)"
        guard let body, !body.isEmpty else { return name }
        return name + " " + String(decoding: body, as: UTF8.self)
    }
}

public struct UpstreamResponse: Sendable {
    public let status: Int
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        (self.status, self.headers, self.body) = (status, headers, body)
    }

    /// Every value of the header `name`, compared case-insensitively.
    func values(of name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

/// The HTTP client: the command line gives one that speaks HTTPS; the tests of the
/// machinery give canned answers.
public protocol UpstreamTransport: Sendable {
    func send(_ request: UpstreamRequest, to baseURL: String) async throws(UpstreamFailure) -> UpstreamResponse
}

/// Why no answer came: unreachable, TLS refused, timed out.
public struct UpstreamFailure: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
