import HTTPServerCore
import Testing

@Suite struct PThreadLockedTests {
    @Test func withLockHandsOutTheValueAndKeepsChanges() {
        let locked = PThreadLocked([1])
        locked.withLock { $0.append(2) }
        #expect(locked.withLock { $0 } == [1, 2])
    }

    /// The value lives behind a pointer of the box's own: it goes when the box goes.
    @Test func theValueIsReleasedWithTheBox() {
        final class Tracked: Sendable {}
        weak var tracked: Tracked?
        do {
            let value = Tracked()
            tracked = value
            let locked = PThreadLocked([value])
            locked.withLock { $0.append(Tracked()) }
        }
        #expect(tracked == nil)
    }

    #if DEBUG
    /// Debug builds use an error-checking mutex: taking it again on the same thread
    /// stops the process instead of deadlocking it.
    @Test func lockingTwiceOnOneThreadStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let locked = PThreadLocked(0)
            locked.withLock { _ in locked.withLock { _ in } }
        }
    }
    #endif
}
