import HTTPServerCore

#if canImport(Glibc)
import Glibc
#endif

/// Standard error, written in batches by one flusher and never by the threads that log:
/// swift-log's `StreamLogHandler` writes to it, and so does the access log.
///
/// Lines collect in bounded buffers, one per worker (`ServerRequest.worker`; other
/// lines go to the first), each behind a lock no other worker takes: workers never wait
/// for each other to log. `flush` (every 50 ms while serving, and at shutdown) writes
/// them out, one buffer after the other, but only as far as standard error takes them without
/// waiting: test harnesses often pipe stderr and never read it, and a worker that
/// waited on a full pipe would stop answering. When a buffer is full, new lines are
/// dropped and counted; once stderr takes bytes again, a line says how many were lost,
/// and `droppedLines` reports the total (`GET /__admin/health`).
public final class BatchedStandardError: TextOutputStream, Sendable {
    /// Bytes that may wait for standard error in each buffer; past this, lines are dropped.
    static let capacity = 1 << 20
    /// A buffer per worker slot (`ServerRequest.workerSlots`).
    static let bufferCount = ServerRequest.workerSlots
    /// Bytes per write(2), PIPE_BUF: a pipe that polls writable has room for at least
    /// this many, so the write cannot block.
    static let chunkBytes = 4096

    private struct Pending {
        var bytes: [UInt8] = []
        /// Lines dropped since the last report line, and in all.
        var unreportedDrops = 0
        var droppedLines = 0
        /// The access log's timestamp, formatted once per second.
        var stampSecond = -1
        var stamp: [UInt8] = []
    }

    /// What the flusher took and has not written yet.
    private struct InHand {
        var bytes: [UInt8] = []
        var written = 0
    }

    private let descriptor: Int32
    private let pending = (0..<bufferCount).map { _ in PThreadLocked(Pending()) }
    /// Held by the one flush under way, so batches leave in order.
    private let inHand = PThreadLocked(InHand())

    /// `descriptor`: standard error; tests pass a pipe of their own.
    public init(descriptor: Int32 = STDERR_FILENO) {
        self.descriptor = descriptor
    }

    /// Lines dropped since the start because standard error did not take them.
    public var droppedLines: Int { pending.reduce(0) { total, buffer in total + buffer.withLock { $0.droppedLines } } }

    public func write(_ string: String) {
        pending[0].withLock { pending in
            guard pending.bytes.count + string.utf8.count <= Self.capacity else { return Self.drop(&pending) }
            pending.bytes.append(contentsOf: string.utf8)
        }
    }

    /// One access-log line, laid out as `StreamLogHandler` lays out an info line of
    /// the `UsageMock` module (`2026-11-21T12:00:00+0000 info usagemock: [UsageMock] GET
    /// /path 200 31us`), but written into the batch's spare capacity in one pass: through
    /// swift-log the line cost a timestamp from strftime and four Strings per request,
    /// and appending its parts one by one to the array cost more than the rest of the line.
    public func writeAccessLine(method: String, path: Substring, status: Int?, micros: Int, worker: Int = 0) {
        var method = method
        var path = path
        pending[worker % Self.bufferCount].withLock { pending in
            let now = time(nil)
            if now != pending.stampSecond {
                pending.stamp = Self.localTimestamp(now)
                pending.stampSecond = now
            }
            // The line's parts and its two numbers.
            let size =
                pending.stamp.count + Self.accessLinePrefix.count + method.utf8.count + path.utf8.count
                + 2 * UnsafeMutableBufferPointer<UInt8>.decimalRoom + 6
            guard pending.bytes.count + size <= Self.capacity else { return Self.drop(&pending) }
            pending.bytes.append(addingCapacity: size) { span in
                span.withUnsafeMutableBufferPointer { line, written in
                    func put(_ bytes: UnsafeBufferPointer<UInt8>) {
                        _ = UnsafeMutableBufferPointer(rebasing: line[written...]).initialize(fromContentsOf: bytes)
                        written += bytes.count
                    }
                    func put(_ byte: UInt8) {
                        line.initializeElement(at: written, to: byte)
                        written += 1
                    }
                    func put(_ number: Int) {
                        written = line.initializeDecimal(number, at: written)
                    }
                    pending.stamp.withUnsafeBufferPointer(put)
                    Self.accessLinePrefix.withUnsafeBufferPointer(put)
                    method.withUTF8(put)
                    put(UInt8(ascii: " "))
                    path.withUTF8(put)
                    put(UInt8(ascii: " "))
                    if let status { put(status) } else { Self.dropped.withUnsafeBufferPointer(put) }
                    put(UInt8(ascii: " "))
                    put(micros)
                    Self.microsecondsEnd.withUnsafeBufferPointer(put)
                }
            }
        }
    }

    private static let accessLinePrefix = Array(" info usagemock: [UsageMock] ".utf8)
    private static let dropped = Array("dropped".utf8)
    private static let microsecondsEnd = Array("us\n".utf8)

    /// Writes out what has collected, as far as standard error takes it within
    /// `patience`; what it does not take waits for the next flush. Returns whether
    /// everything was written.
    @discardableResult
    public func flush(patience: Duration = .zero) -> Bool {
        let deadline = ContinuousClock.now + patience
        return inHand.withLock { hand in
            while true {
                if hand.written == hand.bytes.count {
                    hand.written = 0
                    hand.bytes.removeAll(keepingCapacity: true)
                    // Everything taken so far was written: stderr accepts again.
                    let unreported = pending.reduce(0) { total, buffer in
                        total
                            + buffer.withLock { pending in
                                defer { pending.unreportedDrops = 0 }
                                return pending.unreportedDrops
                            }
                    }
                    if unreported > 0 {
                        hand.bytes.append(
                            contentsOf: "usagemock: \(unreported) log lines dropped: standard error was not taking them\n".utf8)
                    }
                    for buffer in pending {
                        buffer.withLock { pending in
                            if hand.bytes.isEmpty {
                                swap(&hand.bytes, &pending.bytes)
                            } else {
                                hand.bytes.append(contentsOf: pending.bytes)
                                pending.bytes.removeAll(keepingCapacity: true)
                            }
                        }
                    }
                    if hand.bytes.isEmpty { return true }
                }
                guard waitUntilWritable(before: deadline) else { return false }
                let count = min(Self.chunkBytes, hand.bytes.count - hand.written)
                let written = hand.bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + hand.written, count) }
                if written > 0 {
                    hand.written += written
                } else if written < 0, errno == EINTR || errno == EAGAIN {
                    continue
                } else {
                    // Closed or broken: the log has nowhere to go.
                    hand.written = hand.bytes.count
                }
            }
        }
    }

    /// Whether standard error takes bytes now, or does before the deadline.
    private func waitUntilWritable(before deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let left = deadline - ContinuousClock.now
            let milliseconds = max(0, Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            var descriptor = pollfd(fd: self.descriptor, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return true }  // writable, or an error the write will report
            if ready < 0, errno == EINTR { continue }
            return false
        }
    }

    private static func drop(_ pending: inout Pending) {
        pending.unreportedDrops += 1
        pending.droppedLines += 1
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
}
