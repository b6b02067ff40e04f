import HTTPServerCore
import HTTPTypes

/// Who may use `/__admin/`: this machine's user, not a web page open in their browser.
///
/// A browser sends `Origin` with every cross-origin request (and with same-origin ones
/// other than GET/HEAD), so a request whose `Origin` is not the mock's own origin comes
/// from another site's script; it is refused, as is a `Host` that is not a loopback name
/// while the mock listens on loopback only (DNS rebinding: a hostile name resolved to
/// 127.0.0.1). Bound to another address, the mock is reachable from the network, and
/// `token` (when set) is required as `Authorization: Bearer TOKEN` (by every route but
/// the dashboard's page itself, which a browser loads without headers of its own).
public struct AdminAccess: Sendable {
    /// The address the server is bound to, as given to `serve --host`.
    public let boundHost: String
    /// What admin requests must bear; nil: no token asked.
    public let token: String?

    public init(boundHost: String = "127.0.0.1", token: String? = nil) {
        self.boundHost = boundHost
        self.token = token
    }

    /// Whether the bound address is reachable only from this machine.
    public var isLoopbackOnly: Bool { Self.isLoopback(boundHost) }

    /// `localhost` (and names under `.localhost`, RFC 6761), `127.0.0.0/8`, `::1`.
    static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased()
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" || name == "[::1]" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The host of a `Host` field value: without the port, brackets kept off IPv6.
    static func hostName(_ authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        return String(authority.prefix { $0 != ":" })
    }

    static let hostField = HTTPField.Name("Host")!
    static let originField = HTTPField.Name("Origin")!

    /// A 403 in the mock's shape when `request` may not use the admin surface; nil when it may.
    func refusal(for request: MockRequest) -> ServerResponse? {
        let host = request.headers[Self.hostField]
        if let origin = request.headers[Self.originField], origin != "http://" + (host ?? "") {
            return Self.forbidden(
                "requests from a web page at \(origin) may not use /__admin/; only the mock's own origin may",
                reason: "admin: foreign Origin")
        }
        if isLoopbackOnly, let host, !Self.isLoopback(Self.hostName(host)) {
            return Self.forbidden(
                "the mock listens on loopback only and answers /__admin/ for localhost, 127.0.0.1 or [::1], not \(host)",
                reason: "admin: Host is not a loopback name")
        }
        if let token, !DashboardRoute.isPage(request), bearerToken(in: request.headers) != token {
            return Self.forbidden(
                "/__admin/ needs the admin token: Authorization: Bearer <the --admin-token value>",
                reason: "admin: missing or wrong admin token")
        }
        return nil
    }

    private static func forbidden(_ message: String, reason: String) -> ServerResponse {
        var response = MockError.response(.forbidden, error: "forbidden", message: message)
        response.head.headerFields[MockHeaders.reason] = reason
        return response
    }
}
