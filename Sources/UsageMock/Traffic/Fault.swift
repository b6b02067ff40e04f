/// A fault as written in a scenario's `faults` section or a `POST /__admin/faults`
/// body; `validated` checks it against the loaded providers.
///
/// ```json
/// {"provider": "poe", "route": "/usage/points_history", "key": "sk_test_poe",
///  "status": 429, "retry_after": 2, "delay_ms": 300, "nth": 3}
/// ```
struct FaultDefinition: Decodable {
    let provider: String
    let route: String
    let key: String?
    let status: Int?
    let retryAfter: Int?
    let delayMilliseconds: Int?
    let drop: Bool?
    let nth: Int?
    let every: Int?
    let times: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case provider, route, key, status
        case retryAfter = "retry_after"
        case delayMilliseconds = "delay_ms"
        case drop, nth, every, times
    }

    static let maxDelayMilliseconds = 60_000
    static let maxRetryAfter = 86_400

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        provider = try container.decode(String.self, forKey: .provider)
        route = try container.decode(String.self, forKey: .route)
        key = try container.decodeIfPresent(String.self, forKey: .key)
        status = try container.decodeIfPresent(Int.self, forKey: .status)
        retryAfter = try container.decodeIfPresent(Int.self, forKey: .retryAfter)
        delayMilliseconds = try container.decodeIfPresent(Int.self, forKey: .delayMilliseconds)
        drop = try container.decodeIfPresent(Bool.self, forKey: .drop)
        nth = try container.decodeIfPresent(Int.self, forKey: .nth)
        every = try container.decodeIfPresent(Int.self, forKey: .every)
        times = try container.decodeIfPresent(Int.self, forKey: .times)
    }

    /// The fault, checked against the providers that serve: a known provider and one of
    /// its routes, an action (`status`, `drop`, `delay_ms`), at most one trigger.
    func validated(against providers: [any ServedProvider], at path: JSONPath) throws(ScenarioError) -> FaultRule {
        guard let served = providers.first(where: { $0.name == provider }) else {
            throw path["provider"].error(
                "unknown provider \"\(provider)\"; expected one of: \(providers.map(\.name).joined(separator: ", "))")
        }
        let routes = served.routes.routes.map(\.pattern.description)
        guard routes.contains(route) else {
            throw path["route"].error("\(provider) has no route \"\(route)\"; expected one of: \(routes.joined(separator: ", "))")
        }
        if let key, key.isEmpty { throw path["key"].error("must not be empty") }
        let injected: InjectedStatus?
        if let status {
            guard let known = InjectedStatus(rawValue: status), served.injectableStatuses.contains(known) else {
                throw path["status"].error("\(provider) cannot be made to answer \(status); expected one of: \(statusList(served))")
            }
            injected = known
        } else {
            injected = nil
        }
        if let retryAfter {
            guard injected == .tooManyRequests || injected == .serviceUnavailable else {
                throw path["retry_after"].error("only goes with status 429 or 503")
            }
            guard (0...Self.maxRetryAfter).contains(retryAfter) else {
                throw path["retry_after"].error("must be between 0 and \(Self.maxRetryAfter) seconds")
            }
        }
        if let delayMilliseconds, !(1...Self.maxDelayMilliseconds).contains(delayMilliseconds) {
            throw path["delay_ms"].error("must be between 1 and \(Self.maxDelayMilliseconds)")
        }
        let drops = drop ?? false
        if drops, injected != nil { throw path["drop"].error("a dropped connection has no status; give drop or status, not both") }
        guard drops || injected != nil || delayMilliseconds != nil else {
            throw path.error("a fault needs an action: status, drop or delay_ms")
        }
        let triggers: [(CodingKeys, Int)] = [(.nth, nth), (.every, every), (.times, times)].compactMap { key, value in
            value.map { (key, $0) }
        }
        guard triggers.count <= 1 else {
            throw path[triggers[1].0.rawValue].error("give at most one of nth, every, times")
        }
        if let (key, value) = triggers.first, value < 1 { throw path[key.rawValue].error("must be at least 1") }
        let trigger: FaultRule.Trigger =
            if let nth { .nth(nth) } else if let every { .every(every) } else if let times { .times(times) } else { .always }
        return FaultRule(
            provider: provider, route: route, key: key, status: injected, retryAfter: retryAfter,
            delayMilliseconds: delayMilliseconds ?? 0, drop: drops, trigger: trigger)
    }
}

/// `402, 429, 500, 503`: what a provider accepts as an injected status.
func statusList(_ provider: any ServedProvider) -> String {
    provider.injectableStatuses.sorted().map { String($0.rawValue) }.joined(separator: ", ")
}

/// A validated fault: which requests it matches, when it fires, what it does.
public struct FaultRule: Sendable {
    /// When a fault fires, counted over the requests it matches (1 is the first).
    enum Trigger: Sendable, Equatable {
        case always
        /// Only the nth matching request.
        case nth(Int)
        /// Requests n, 2n, 3n…
        case every(Int)
        /// The first n matching requests.
        case times(Int)

        func fires(onMatch count: Int) -> Bool {
            switch self {
            case .always: true
            case .nth(let n): count == n
            case .every(let n): count % n == 0
            case .times(let n): count <= n
            }
        }
    }

    let provider: String
    /// A route pattern of that provider, as `PathPattern` prints it.
    let route: String
    /// Only requests bearing this API key; any request when nil.
    let key: String?
    let status: InjectedStatus?
    let retryAfter: Int?
    let delayMilliseconds: Int
    let drop: Bool
    let trigger: Trigger

    func matches(provider: String, route: String, token: () -> String?) -> Bool {
        self.provider == provider && self.route == route && (key == nil || key == token())
    }

    /// The fault as `GET /__admin/faults` shows it: the fields it was given.
    func write(to json: inout JSONWriter) {
        json.field("provider", provider)
        json.field("route", route)
        if let key { json.field("key", maskedKey(key)) }
        if let status { json.field("status", status.rawValue) }
        if let retryAfter { json.field("retry_after", retryAfter) }
        if delayMilliseconds > 0 { json.field("delay_ms", delayMilliseconds) }
        if drop { json.field("drop", true) }
        switch trigger {
        case .always: break
        case .nth(let n): json.field("nth", n)
        case .every(let n): json.field("every", n)
        case .times(let n): json.field("times", n)
        }
    }
}
