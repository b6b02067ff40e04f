import ServiceLifecycle
import UsageMock

/// Flushes the batched standard error every 50 ms until graceful shutdown, then once
/// more: listed before the server in the service group, it stops after the server, so
/// the last requests' lines are written. No flush waits on standard error for long: a
/// pipe nobody reads must not keep the process from exiting.
struct LogFlusher: Service {
    let output: BatchedStandardError

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(50)) }
            output.flush()
        }
        output.flush(patience: .milliseconds(100))
    }
}
