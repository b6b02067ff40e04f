import ServiceLifecycle
import UsageMock

/// Flushes the batched standard error every 100 ms until graceful shutdown, then once
/// more: listed before the server in the service group, it stops after the server, so
/// the last requests' lines are written.
struct LogFlusher: Service {
    let output: BatchedStandardError

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(100)) }
            output.flush()
        }
        output.flush()
    }
}
