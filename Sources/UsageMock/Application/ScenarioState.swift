import Atomics
import HTTPServerCore
import HTTPTypes

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The scenario being served with its faults, swapped whole between requests, and the
/// one `POST /__admin/reset` returns to.
///
/// A request reads its worker's `served` once: one reference loaded atomically, no lock
/// (swift-atomics' `ManagedAtomic` counts its readers, so a swap cannot free it under
/// one). Each worker slot has a `Served` and a router of its own over the same scenario:
/// two workers retaining one shared route or group write the same cache line, which with
/// two threads answering at once cost each about a tenth more time per balance. Changes (a
/// new scenario, the clock, added usage, reset, a reload of the watched file) take turns
/// on a lock of their own and build the new scenario while the old one keeps answering,
/// then swap it into every slot before the change returns. A change that fails
/// validation swaps nothing.
final class ScenarioState: Sendable {
    /// A scenario with the router over its providers' routes and the faults in force.
    /// A class: a request takes one reference to it, where a copy of the struct took a
    /// reference to each of a dozen arrays and strings that every worker shares.
    final class Served: AtomicReference, Sendable {
        let scenario: LoadedScenario
        let router: Router
        /// The scenario's faults and those added since it was served. A whole new
        /// scenario (PUT, reset, a reload of the watched file) brings a new engine with
        /// its own faults counted afresh; moving the clock or adding usage keeps it.
        let faults: FaultEngine
        /// Every API key with the 401 reason naming its provider (`ResponseReasons`).
        let keyOwners: [String: [HTTPField]]

        private init(_ scenario: LoadedScenario, faults: FaultEngine, keyOwners: [String: [HTTPField]]) {
            self.scenario = scenario
            router = Router(scenario.providers.map(\.routes))
            self.faults = faults
            self.keyOwners = keyOwners
        }

        /// One for each worker slot: each with a router of its own, so the routes and
        /// groups a request retains are its worker's, not lines that every worker writes.
        static func perWorker(_ scenario: LoadedScenario, faults: FaultEngine) -> [Served] {
            let keyOwners = ResponseReasons.keyOwners(of: scenario.providers)
            return (0..<ServerRequest.workerSlots).map { _ in Served(scenario, faults: faults, keyOwners: keyOwners) }
        }
    }

    private let current: [ManagedAtomic<Served>]
    /// Held for a whole change; its value is the scenario reset returns to: the one
    /// loaded at startup, or the last reload of the watched file.
    private let changes: PThreadLocked<LoadedScenario>
    init(_ scenario: LoadedScenario) {
        current = Served.perWorker(scenario, faults: FaultEngine(scenario.faults)).map { ManagedAtomic($0) }
        changes = PThreadLocked(scenario)
    }

    var served: Served { served(byWorker: 0) }

    /// The scenario served, as `ServerRequest.worker` reads it.
    func served(byWorker worker: Int) -> Served { current[worker % ServerRequest.workerSlots].load(ordering: .acquiring) }

    /// Serves what `build` makes of the current scenario (and the reset baseline);
    /// when it throws, nothing changes. With `asBaseline`, reset returns to it too.
    /// With `armingItsFaults` (a whole new scenario), the scenario's faults replace
    /// those in force, in the same swap.
    @discardableResult
    func change(
        asBaseline: Bool = false, armingItsFaults: Bool = false,
        _ build: (_ current: LoadedScenario, _ baseline: LoadedScenario) throws(ScenarioError) -> LoadedScenario
    ) throws(ScenarioError) -> LoadedScenario {
        let result: Result<LoadedScenario, ScenarioError> = changes.withLock { baseline in
            do throws(ScenarioError) {
                let old = served
                let scenario = try build(old.scenario, baseline)
                if asBaseline { baseline = scenario }
                let faults = armingItsFaults ? FaultEngine(scenario.faults, firstID: old.faults.nextID) : old.faults
                // The old scenario is freed here, not by a request (a million rows take a
                // second to free), unless a request still holds it.
                for (slot, fresh) in zip(current, Served.perWorker(scenario, faults: faults)) {
                    _ = slot.exchange(fresh, ordering: .acquiringAndReleasing)
                }
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
        return try change(asBaseline: asBaseline, armingItsFaults: true) { _, _ in scenario }
    }

    @discardableResult
    func reset() -> LoadedScenario {
        // A baseline was built once already, so this cannot fail.
        (try? change(armingItsFaults: true) { _, baseline in baseline }) ?? served.scenario
    }

    /// Adds or clears faults in turn with changes, so none lands in an engine that a
    /// new scenario has just replaced.
    func withFaults<Result>(_ body: (FaultEngine) -> Result) -> Result {
        changes.withLock { _ in body(served.faults) }
    }
}
