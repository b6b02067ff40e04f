#if canImport(Glibc)
import Glibc
#endif
import MicroHTTPDServer

/// Standard error, written in batches: swift-log's `StreamLogHandler` writes to it, and
/// so does the access log. Lines collect in memory and leave in one write(2) when
/// `flush` is called (every 100 ms while serving, and at shutdown) or as soon as 64 KiB
/// have collected. swift-log's own `standardError` locks the stream and flushes it for
/// every line, a write(2) per request.
public final class BatchedStandardError: TextOutputStream, Sendable {
    static let batchBytes = 64 * 1024

    private struct Pending {
        var bytes: [UInt8] = []
        /// The access log's timestamp, formatted once per second.
        var stampSecond = -1
        var stamp: [UInt8] = []
    }

    private let pending = PThreadLocked(Pending())

    public init() {}

    public func write(_ string: String) {
        pending.withLock { pending in
            pending.bytes.append(contentsOf: string.utf8)
            if pending.bytes.count >= Self.batchBytes { Self.writeOut(&pending.bytes) }
        }
    }

    /// One access-log line, laid out as `StreamLogHandler` lays out an info line of
    /// the `UsageMock` module (`2026-11-21T12:00:00+0000 info usagemock: [UsageMock] GET
    /// /path 200 31us`), but written byte by byte into the batch: through swift-log the
    /// line cost a timestamp from strftime and four Strings, 25% of a balance request's
    /// own work in the server (`perf`).
    public func writeAccessLine(method: String, path: String, status: Int?, micros: Int) {
        pending.withLock { pending in
            let now = time(nil)
            if now != pending.stampSecond {
                pending.stamp = Self.localTimestamp(now)
                pending.stampSecond = now
            }
            pending.bytes.append(contentsOf: pending.stamp)
            pending.bytes.append(contentsOf: " info usagemock: [UsageMock] ".utf8)
            pending.bytes.append(contentsOf: method.utf8)
            pending.bytes.append(UInt8(ascii: " "))
            pending.bytes.append(contentsOf: path.utf8)
            pending.bytes.append(UInt8(ascii: " "))
            if let status { pending.bytes.appendDecimal(status) } else { pending.bytes.append(contentsOf: "dropped".utf8) }
            pending.bytes.append(UInt8(ascii: " "))
            pending.bytes.appendDecimal(micros)
            pending.bytes.append(contentsOf: "us\n".utf8)
            if pending.bytes.count >= Self.batchBytes { Self.writeOut(&pending.bytes) }
        }
    }

    /// Writes out what has collected. Under the lock, so batches keep their order.
    public func flush() {
        pending.withLock { Self.writeOut(&$0.bytes) }
    }

    /// `StreamLogHandler`'s timestamp: local time, `%Y-%m-%dT%H:%M:%S%z`.
    private static func localTimestamp(_ seconds: time_t) -> [UInt8] {
        var seconds = seconds
        var local = tm()
        var buffer = [CChar](repeating: 0, count: 64)
        guard localtime_r(&seconds, &local) != nil else { return Array("<unknown>".utf8) }
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        return buffer[..<count].map { UInt8(bitPattern: $0) }
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
}
