#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MicroHTTPDServer

/// The scenario being served, swapped whole between requests, and the one
/// `POST /__admin/reset` returns to.
///
/// A request reads `served` once: a mutex held for the copy of one reference-counted
/// pair. Changes (a new scenario, the clock, added usage, reset, a reload of the
/// watched file) take turns on a second lock and build the new scenario while the old
/// one keeps answering; only the final swap touches the request path's lock. A change
/// that fails validation swaps nothing.
final class ScenarioState: Sendable {
    /// A scenario with the router over its providers' routes.
    struct Served: Sendable {
        let scenario: LoadedScenario
        let router: Router

        init(_ scenario: LoadedScenario) {
            self.scenario = scenario
            router = Router(scenario.providers.map(\.routes))
        }
    }

    private let current: PThreadLocked<Served>
    /// Held for a whole change; its value is the scenario reset returns to: the one
    /// loaded at startup, or the last reload of the watched file.
    private let changes: PThreadLocked<LoadedScenario>
    /// Called once a whole new scenario (not a change to the current one) is served.
    private let onNewScenario: @Sendable (LoadedScenario) -> Void

    init(_ scenario: LoadedScenario, onNewScenario: @escaping @Sendable (LoadedScenario) -> Void = { _ in }) {
        current = PThreadLocked(Served(scenario))
        changes = PThreadLocked(scenario)
        self.onNewScenario = onNewScenario
    }

    var served: Served { current.withLock { $0 } }

    /// Serves what `build` makes of the current scenario (and the reset baseline);
    /// when it throws, nothing changes. With `asBaseline`, reset returns to it too.
    @discardableResult
    func change(asBaseline: Bool = false, _ build: (_ current: LoadedScenario, _ baseline: LoadedScenario) throws(ScenarioError) -> LoadedScenario) throws(ScenarioError) -> LoadedScenario {
        let result: Result<LoadedScenario, ScenarioError> = changes.withLock { baseline in
            do throws(ScenarioError) {
                let scenario = try build(served.scenario, baseline)
                if asBaseline { baseline = scenario }
                var replaced = Served(scenario)
                current.withLock { swap(&$0, &replaced) }
                // The old scenario is freed here, outside the request path's lock
                // (a million rows take a second to free), unless a request still holds it.
                _ = consume replaced
                return .success(scenario)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Validates a whole scenario document, then serves it; the old one stays when it is invalid.
    @discardableResult
    func replace(json: [UInt8], file: String, asBaseline: Bool = false) throws(ScenarioError) -> LoadedScenario {
        // Loaded before taking the change lock: it depends on nothing served.
        let scenario = try ScenarioLoader.load(json: Data(json), file: file)
        try change(asBaseline: asBaseline) { _, _ in scenario }
        onNewScenario(scenario)
        return scenario
    }

    @discardableResult
    func reset() -> LoadedScenario {
        // A baseline was built once already, so this cannot fail.
        let scenario = (try? change { _, baseline in baseline }) ?? served.scenario
        onNewScenario(scenario)
        return scenario
    }
}
