import MicroHTTPDServer
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Standard error for swift-log's `StreamLogHandler`, written in batches: lines collect
/// in memory and leave in one write(2) every 100 ms (`BatchedStandardError.Flusher`),
/// as soon as 64 KiB have collected, and at shutdown. swift-log's own `standardError`
/// locks the stream and flushes it for every line, a write(2) per request.
final class BatchedStandardError: TextOutputStream, Sendable {
    static let batchBytes = 64 * 1024
    private let pending = PThreadLocked<[UInt8]>([])

    func write(_ string: String) {
        pending.withLock { bytes in
            bytes.append(contentsOf: string.utf8)
            if bytes.count >= Self.batchBytes { Self.writeOut(&bytes) }
        }
    }

    /// Writes out what has collected. Under the lock, so batches keep their order.
    func flush() {
        pending.withLock { Self.writeOut(&$0) }
    }

    private static func writeOut(_ bytes: inout [UInt8]) {
        while !bytes.isEmpty {
            let written = Glibc.write(STDERR_FILENO, bytes, bytes.count)
            if written > 0 {
                bytes.removeFirst(written)
            } else if written < 0, errno == EINTR {
                continue
            } else {
                bytes.removeAll(keepingCapacity: true)  // stderr is closed or broken: the log has nowhere to go.
            }
        }
    }

    /// Flushes every 100 ms until graceful shutdown, then once more: listed before the
    /// server in the service group, it stops after the server, so the last requests'
    /// lines are written.
    struct Flusher: Service {
        let output: BatchedStandardError

        func run() async throws {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(100)) }
                output.flush()
            }
            output.flush()
        }
    }
}
