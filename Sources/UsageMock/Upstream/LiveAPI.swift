#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `usagemock verify` and `record` know of one provider's live API: which requests
/// to make, how to page, which error cases to provoke, how rows become scenario rows.
/// Each provider's folder conforms its scenario section to it.
protocol LiveProvider: ProviderSection {
    /// The key a recording gives its account unless `--as-key` says otherwise.
    static var testKey: String { get }
    /// Whether `--user` is needed (Klaim: no endpoint lists a key's users).
    static var needsUsers: Bool { get }
    /// Runs the provider's checks, each recorded in `session`.
    static func verify(_ session: LiveSession, users: [String]) async throws(ConversationStop)
    /// Pages through the account's data and returns the scenario account (keys `asKey`).
    static func record(_ session: LiveSession, users: [String], maxRows: Int, asKey: String) async throws(ConversationStop) -> Recorded
}

extension LiveProvider {
    static var needsUsers: Bool { false }
}

/// A recorded account, and what the recording could not carry over.
struct Recorded: Sendable {
    let account: StrictJSON
    let rows: Int
    var notes: [String] = []
}

/// The command line's way in: verify a live API against the contract, or record it.
public enum LiveAPI {
    /// The providers with a live API to verify or record: every scenario section that
    /// conforms to `LiveProvider`.
    static var providers: [any LiveProvider.Type] { providerSections.compactMap { $0 as? any LiveProvider.Type } }

    public static var providerKeys: [String] { providers.map { $0.providerKey } }

    public static func testKey(of provider: String) -> String? { live(provider)?.testKey }

    public static func needsUsers(_ provider: String) -> Bool { live(provider)?.needsUsers ?? false }

    private static func live(_ provider: String) -> (any LiveProvider.Type)? {
        providers.first { $0.providerKey == provider }
    }

    private static func session(_ provider: String, _ options: LiveSession.Options, _ transport: any UpstreamTransport) -> LiveSession {
        guard let served = ScenarioLoader.loadDefault().providers.first(where: { $0.name == provider }) else {
            preconditionFailure("no served provider \(provider)")
        }
        return LiveSession(transport: transport, options: options, contract: ProviderContract(provider: served))
    }

    /// Runs every check of `provider`; throws only when the API could not be talked to.
    public static func verify(
        _ provider: String, users: [String], options: LiveSession.Options,
        transport: any UpstreamTransport
    ) async throws(ConversationStop) -> VerifyReport {
        guard let live = live(provider) else { preconditionFailure("unknown provider \(provider)") }
        let session = session(provider, options, transport)
        var unfinished: String?
        do {
            try await live.verify(session, users: users)
        } catch .budgetSpent(let max) {
            unfinished = ConversationStop.budgetSpent(max).description
        }
        let budgetNote = await session.budgetNote
        return VerifyReport(
            provider: provider, baseURL: options.baseURL, requestsSent: await session.requestsSent,
            checks: await session.checks, unfinished: unfinished ?? budgetNote)
    }

    public enum RecordFailure: Error, Sendable {
        /// The API could not be talked to (exit 2).
        case stopped(ConversationStop)
        /// Its answers do not fit the contract, so they would not make a valid scenario (exit 1).
        case drift(VerifyReport)
        case invalid(String)
    }

    /// A scenario file's text, with a one-line summary of what it holds.
    public struct Recording: Sendable {
        public let json: [UInt8]
        public let summary: String
        public let notes: [String]
    }

    /// Pages through the account's data and builds a scenario that `serve` loads as is,
    /// its clock at `clockSeconds` (the time of the recording), checked as `validate`
    /// checks it.
    public static func record(
        _ provider: String, users: [String], maxRows: Int, asKey: String, clockSeconds: Int,
        options: LiveSession.Options, transport: any UpstreamTransport
    ) async throws(RecordFailure) -> Recording {
        guard let live = live(provider) else { preconditionFailure("unknown provider \(provider)") }
        let session = session(provider, options, transport)
        let recorded: Recorded
        do {
            recorded = try await live.record(session, users: users, maxRows: maxRows, asKey: asKey)
        } catch {
            throw .stopped(error)
        }
        let checks = await session.checks
        let requests = await session.requestsSent
        if checks.contains(where: { !$0.findings.isEmpty }) {
            throw .drift(
                VerifyReport(provider: provider, baseURL: options.baseURL, requestsSent: requests, checks: checks, unfinished: nil))
        }
        let clock = UTCTime.timestamp(seconds: clockSeconds)
        let document = StrictJSON.object([
            "name": .string("recorded-\(provider)"),
            "description": .string("Recorded by usagemock record from \(options.baseURL) at \(clock)"),
            "clock": .string(clock),
            "providers": .object([provider: .object(["accounts": .array([recorded.account])])]),
        ])
        let json = document.written() + [UInt8(ascii: "\n")]
        do {
            _ = try ScenarioLoader.load(json: Data(json), file: "(recording)")
        } catch {
            throw .invalid("\(error)")
        }
        let notes = recorded.notes + (await session.budgetNote.map { ["\($0): the recording holds the rows read until then"] } ?? [])
        return Recording(json: json, summary: "\(recorded.rows) rows from \(requests) requests, clock \(clock)", notes: notes)
    }
}
