import HTTPServerCore
import Synchronization

/// The faults in force, the scenario's and those added at runtime, each with its own
/// count of matching requests, so the same sequence of requests meets the same faults.
/// Each scenario served brings an engine of its own (see `ScenarioState.Served`), so a
/// request never meets one scenario's faults while another is served.
///
/// Counting is under one lock; with no fault in force a request only reads an atomic.
final class FaultEngine: Sendable {
    struct ArmedFault: Sendable {
        let id: Int
        let rule: FaultRule
        /// Requests this fault matched so far, and how many of them it fired on.
        var matched = 0
        var fired = 0
    }

    private struct State {
        var faults: [ArmedFault] = []
        var nextID = 1
    }

    private let state = PThreadLocked(State())
    private let isArmed = Atomic<Bool>(false)

    /// `firstID`: ids go on from the engine this one replaces.
    init(_ rules: [FaultRule], firstID: Int = 1) {
        state.withLock { $0.nextID = firstID }
        for rule in rules { _ = add(rule) }
    }

    /// The id the next fault added will get.
    var nextID: Int { state.withLock { $0.nextID } }

    /// Arms a fault after those already in force; returns its id.
    func add(_ rule: FaultRule) -> ArmedFault {
        state.withLock { state in
            let armed = ArmedFault(id: state.nextID, rule: rule)
            state.nextID += 1
            state.faults.append(armed)
            isArmed.store(true, ordering: .releasing)
            return armed
        }
    }

    /// Disarms every fault; returns how many there were. Ids keep counting up.
    func clear() -> Int {
        state.withLock { state in
            defer { state.faults.removeAll() }
            isArmed.store(false, ordering: .releasing)
            return state.faults.count
        }
    }

    var faults: [ArmedFault] { state.withLock { $0.faults } }

    /// The fault that fires on this request, if any. Every fault the request matches
    /// counts it; the first of them (in the order they were added) that fires wins.
    func fault(provider: String, route: String, token: () -> String?) -> ArmedFault? {
        guard isArmed.load(ordering: .acquiring) else { return nil }
        return state.withLock { state in
            var firing: ArmedFault?
            for index in state.faults.indices where state.faults[index].rule.matches(provider: provider, route: route, token: token) {
                state.faults[index].matched += 1
                if firing == nil, state.faults[index].rule.trigger.fires(onMatch: state.faults[index].matched) {
                    state.faults[index].fired += 1
                    firing = state.faults[index]
                }
            }
            return firing
        }
    }
}
