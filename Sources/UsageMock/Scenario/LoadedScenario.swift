import HTTPServerCore

/// A provider built from its scenario section, ready to answer: its routes and error
/// shapes over data that never changes after loading.
///
/// A class: a request holds its provider as `any ServedProvider`, and copying a
/// class's existential is one retain, where a struct's went through its value
/// witnesses on every request.
public protocol ServedProvider: AnyObject, Sendable {
    /// The provider's key in scenario files (`poe`, `hookbridge`, ...).
    var name: String { get }
    var routes: RouteGroup { get }
    /// Each account's keys and rows, in scenario order (the admin dashboard); the
    /// provider's `counts` add them up.
    var accountSummaries: [AccountSummary] { get }
    /// The statuses faults and `X-Usagemock-Status` may inject (default: 429, 500, 503).
    var injectableStatuses: [InjectedStatus] { get }
    /// One of those statuses in the provider's error shape, with the provider's own
    /// headers (the caller adds `Retry-After`).
    func injectedError(_ status: InjectedStatus) -> ServerResponse
    /// Every API key of its accounts, in scenario order (the startup summary; a 401's
    /// reason names the provider a key belongs to).
    var keys: [String] { get }
}

/// A validated scenario: every provider's data generated, checked and serialised.
public struct LoadedScenario: Sendable {
    public let name: String
    /// "Now" for the providers, in seconds since 1970 (docs/behaviour.md, common rule 4); moved by
    /// `POST /__admin/clock`.
    public let clockSeconds: Int
    /// The scenario file's clock, before which generated rows are placed. It stays put
    /// when the clock moves, so moving the clock moves "now" over the same data.
    let generatorClockSeconds: Int
    public let providers: [any ServedProvider]
    /// Faults declared in the scenario's `faults` section, in order.
    public let faults: [FaultRule]
    /// The document it was built from, kept so runtime changes can rebuild from it.
    let document: ScenarioDocument
}

/// What loading a scenario shares across provider sections: the clock and the owner
/// of every API key, since a key belongs to exactly one account of one provider.
struct ScenarioContext {
    /// "Now" as served (Poe's 30-day window ends here).
    let clockSeconds: Int
    /// Where generators place their rows: the scenario file's clock.
    let generatorClockSeconds: Int
    private var keyOwners: [String: JSONPath] = [:]
    /// The keys in the order they were claimed.
    private var claims: [(key: String, path: JSONPath)] = []

    init(clockSeconds: Int, generatorClockSeconds: Int) {
        self.clockSeconds = clockSeconds
        self.generatorClockSeconds = generatorClockSeconds
    }

    /// Refuses generator ages that are negative or reach before 1970, so every generated
    /// instant is one the providers' formats can write.
    func checkAges(_ ages: IntRange, at path: JSONPath) throws(ScenarioError) {
        guard ages.min >= 0 else { throw path["min"].error("must not be negative") }
        guard ages.max < generatorClockSeconds else {
            throw path["max"].error("must be below \(generatorClockSeconds): an older entry would date from before 1970")
        }
    }

    /// Records the account's keys; refuses an empty, spaced or already used key.
    mutating func claim(keys: [String], at path: JSONPath) throws(ScenarioError) {
        guard !keys.isEmpty else { throw path.error("an account needs at least one key") }
        for (index, key) in keys.enumerated() {
            let keyPath = path[index]
            guard !key.isEmpty, !key.contains(where: { $0 == " " || $0.isNewline || $0 == "\t" }) else {
                throw keyPath.error("a key must be one non-empty token without spaces")
            }
            try record(key, at: keyPath)
        }
    }

    /// Takes over the keys another section claimed (in its own context), in order.
    mutating func merge(_ other: ScenarioContext) throws(ScenarioError) {
        for claim in other.claims { try record(claim.key, at: claim.path) }
    }

    private mutating func record(_ key: String, at path: JSONPath) throws(ScenarioError) {
        if let owner = keyOwners[key] {
            throw path.error("key \"\(maskedKey(key))\" is used twice (first at \(owner))")
        }
        keyOwners[key] = path
        claims.append((key, path))
    }
}

/// One provider's section of a scenario file (`{"accounts": […]}`), as decoded; `load`
/// validates it and builds what serves it.
protocol ProviderSection: Decodable, Sendable {
    associatedtype Account: Decodable & Sendable
    static var providerKey: String { get }
    init(accounts: [Account])
    func load(in context: inout ScenarioContext, at path: JSONPath) throws(ScenarioError) -> any ServedProvider
    /// Whether what it serves depends on "now" (beyond where generators put rows), so
    /// moving the clock rebuilds it.
    static var readsClock: Bool { get }
    /// This section with the usage of a `POST /__admin/usage/{provider}` body added to
    /// the account it names; rows without a time are dated `clockSeconds`.
    func addingUsage(_ body: [UInt8], clockSeconds: Int) throws(ScenarioError) -> Self
}

private enum ProviderSectionKeys: String, CodingKey, CaseIterable { case accounts }

extension ProviderSection {
    /// The section of a scenario that leaves this provider out: no accounts.
    static var empty: Self { Self(accounts: []) }
    static var readsClock: Bool { false }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: ProviderSectionKeys.self)
        self.init(accounts: try container.decode([Account].self, forKey: .accounts))
    }
}

/// One account of a provider as the admin surface describes it.
public struct AccountSummary: Sendable {
    let keys: [String]
    /// Rows served, by kind (`entries in window`, `users`, `records`, ...).
    let counts: [(kind: String, count: Int)]
    /// Klaim: the account's user ids, sorted (a ready request needs one); empty for the others.
    var userIDs: [String] = []
}

extension ServedProvider {
    /// Rows served, by kind, for summaries (`validate`, the admin surface): the number
    /// of accounts, then each kind summed over them.
    public var counts: [(kind: String, count: Int)] {
        let accounts = accountSummaries
        let kinds = accounts.first?.counts.map(\.kind) ?? []
        return [("accounts", accounts.count)]
            + kinds.enumerated().map { index, kind in (kind, accounts.reduce(0) { $0 + $1.counts[index].count }) }
    }

    /// `1 account, 250 entries in window`: the counts for people (validate, the startup
    /// summary), a count of one in the singular.
    public var countsText: String {
        counts.map { count in
            guard count.count == 1 else { return "\(count.count) \(count.kind)" }
            // The plural word is the first ending in s: "usage events", "entries in window".
            var words = count.kind.split(separator: " ").map(String.init)
            if let plural = words.firstIndex(where: { $0.hasSuffix("s") }) {
                words[plural] = words[plural].hasSuffix("ies") ? words[plural].dropLast(3) + "y" : String(words[plural].dropLast())
            }
            return "1 " + words.joined(separator: " ")
        }.joined(separator: ", ")
    }
}
