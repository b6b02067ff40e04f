#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a pthread mutex, after swift-nio's `NIOLockedValueBox`. Used wherever
/// threads share a value instead of `Synchronization.Mutex`, whose futex-based lock on
/// Linux the thread sanitizer cannot see, so it reported races that the lock prevents.
///
/// Release builds use an adaptive mutex: a thread that finds it taken spins a little
/// before it sleeps. Every critical section here is a few copies long, and on the
/// request path a worker put to sleep costs a context switch and a wake-up. Debug
/// builds use an error-checking mutex, so a thread that locks it twice or unlocks it
/// without holding it stops at once instead of deadlocking. Every pthread call's result
/// is checked.
///
/// The value lives behind a pointer, not in a stored property: `body(&value)` on a
/// class's property is checked for exclusive access at run time (about 100
/// instructions per use, nearly what the lock costs), and the mutex already
/// guarantees it.
package final class PThreadLocked<Value: Sendable>: @unchecked Sendable {
    private let value = UnsafeMutablePointer<Value>.allocate(capacity: 1)
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    package init(_ value: Value) {
        self.value.initialize(to: value)
        var attributes = pthread_mutexattr_t()
        Self.check(pthread_mutexattr_init(&attributes), "pthread_mutexattr_init")
        #if DEBUG
        let type = Int32(PTHREAD_MUTEX_ERRORCHECK)
        #else
        let type = Int32(PTHREAD_MUTEX_ADAPTIVE_NP)
        #endif
        Self.check(pthread_mutexattr_settype(&attributes, type), "pthread_mutexattr_settype")
        Self.check(pthread_mutex_init(mutex, &attributes), "pthread_mutex_init")
        Self.check(pthread_mutexattr_destroy(&attributes), "pthread_mutexattr_destroy")
    }

    deinit {
        Self.check(pthread_mutex_destroy(mutex), "pthread_mutex_destroy")
        mutex.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        Self.check(pthread_mutex_lock(mutex), "pthread_mutex_lock")
        defer { Self.check(pthread_mutex_unlock(mutex), "pthread_mutex_unlock") }
        return try body(&value.pointee)
    }

    /// A failing pthread call here is a bug (a lock taken twice, a destroyed mutex):
    /// stop rather than go on with the value unprotected.
    private static func check(_ result: Int32, _ call: StaticString) {
        precondition(result == 0, "\(call) failed: \(result)")
    }
}
