/// A polite conversation with a live API, and what it found: at most `maxRequests`
/// requests, `pause` between two of them, and a stop at the first answer that shows the
/// API cannot be talked to (no answer, a 429, a 5xx, or a body that is not JSON).
public actor LiveSession {
    public struct Options: Sendable {
        public let baseURL: String
        public let key: String
        public let maxRequests: Int
        public let pause: Duration

        public init(baseURL: String, key: String, maxRequests: Int, pause: Duration) {
            (self.baseURL, self.key, self.maxRequests, self.pause) = (baseURL, key, maxRequests, pause)
        }
    }

    /// An answer with its body parsed.
    struct Exchange: Sendable {
        let request: UpstreamRequest
        let response: UpstreamResponse
        let json: StrictJSON
    }

    private let transport: any UpstreamTransport
    let options: Options
    let contract: ProviderContract
    private(set) var requestsSent = 0
    private(set) var checks: [CheckOutcome] = []
    /// Set when a page walk ran out of budget before its list ended.
    var budgetNote: String?

    init(transport: any UpstreamTransport, options: Options, contract: ProviderContract) {
        (self.transport, self.options, self.contract) = (transport, options, contract)
    }

    /// Sends one request with the session's key (or `token` instead, `nil` for none).
    func send(
        _ method: UpstreamRequest.Method, _ target: String, body: [UInt8]? = nil,
        token: String?? = .none
    ) async throws(ConversationStop) -> Exchange {
        guard requestsSent < options.maxRequests else { throw .budgetSpent(options.maxRequests) }
        if requestsSent > 0 {
            do { try await Task.sleep(for: options.pause) } catch { throw .cancelled }
        }
        requestsSent += 1
        let request = UpstreamRequest(method: method, target: target, body: body, token: token ?? options.key)
        let response: UpstreamResponse
        do {
            response = try await transport.send(request, to: options.baseURL)
        } catch {
            throw .unreachable(request.endpoint, error.description)
        }
        if response.status == 429 {
            throw .rateLimited(request.endpoint, retryAfter: response.values(of: "Retry-After").first)
        }
        if response.status >= 500 { throw .serverError(request.endpoint, response.status) }
        do {
            return Exchange(request: request, response: response, json: try StrictJSON.parse(response.body))
        } catch {
            throw .notJSON(
                request.endpoint, status: response.status, contentType: response.values(of: "Content-Type").first,
                start: String(decoding: response.body.prefix(60), as: UTF8.self))
        }
    }

    /// Records a check: `findings` empty means it held.
    func record(_ name: String, _ endpoint: String, _ findings: [Finding]) {
        checks.append(CheckOutcome(name: name, endpoint: endpoint, findings: findings))
    }

    /// Checks an answer against the contract's `status` for `route` (its OpenAPI path),
    /// with what the provider's own checks of it found.
    func expect(_ name: String, _ exchange: Exchange, route: String, status: Int, plus findings: [Finding] = []) {
        record(
            name, exchange.request.endpoint,
            contract.differences(exchange, route: route, method: exchange.request.method, status: status) + findings)
    }

    /// Sends a request and checks the answer against the contract; the exchange is
    /// returned for further checks.
    @discardableResult
    func expect(
        _ name: String, _ method: UpstreamRequest.Method, _ target: String, route: String, status: Int,
        body: [UInt8]? = nil, token: String?? = .none
    ) async throws(ConversationStop) -> Exchange {
        let exchange = try await send(method, target, body: body, token: token)
        expect(name, exchange, route: route, status: status)
        return exchange
    }
}

/// Why a conversation ended before its checks did. Every case but a spent budget means
/// the API could not be talked to (exit 2).
public enum ConversationStop: Error, Sendable, CustomStringConvertible {
    case unreachable(String, String)
    case rateLimited(String, retryAfter: String?)
    case serverError(String, Int)
    case notJSON(String, status: Int, contentType: String?, start: String)
    case budgetSpent(Int)
    case cancelled

    public var description: String {
        switch self {
        case .unreachable(let endpoint, let reason):
            "no answer to \(endpoint): \(reason)"
        case .rateLimited(let endpoint, let retryAfter):
            "rate limited: \(endpoint) answered 429" + (retryAfter.map { " (Retry-After: \($0))" } ?? "")
                + "; try again later or with a longer --pause"
        case .serverError(let endpoint, let status):
            "\(endpoint) answered \(status): the API is not answering properly, try again later"
        case .notJSON(let endpoint, let status, let contentType, let start):
            "\(endpoint) answered \(status) with a body that is not JSON (Content-Type: \(contentType ?? "none"); it starts \(start.debugDescription)): is --base-url the API?"
        case .budgetSpent(let max):
            "stopped after \(max) requests (--max-requests)"
        case .cancelled:
            "cancelled"
        }
    }
}
