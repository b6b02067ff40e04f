import Foundation
import Testing

@testable import UsageMock

/// The log's buffer in front of a pipe that nobody reads, then one that is read.
@Suite struct StandardErrorLogTests {
    @Test func linesPastTheBufferAreDroppedCountedAndReportedOnceThePipeDrains() throws {
        let pipe = Pipe()
        let log = BatchedStandardError(descriptor: pipe.fileHandleForWriting.fileDescriptor)
        let line = String(repeating: "x", count: 99) + "\n"
        // Twice what the buffer and the pipe hold together.
        let lines = 2 * (BatchedStandardError.capacity + 65_536) / line.utf8.count
        let clock = ContinuousClock()
        let started = clock.now
        for index in 0..<lines {
            log.write(line)
            if index % 1000 == 0 { log.flush() }
        }
        #expect(!log.flush(patience: .milliseconds(20)))
        #expect(clock.now - started < .seconds(5), "no write waited on the full pipe")
        let dropped = log.droppedLines
        #expect(dropped > lines / 3)
        #expect(dropped < lines)

        // A reader drains the pipe; the next flushes write the rest and the report.
        let reader = pipe.fileHandleForReading
        let collected = Collected()
        let drain = Thread {
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { return }
                collected.append(chunk)
            }
        }
        drain.start()
        #expect(log.flush(patience: .seconds(5)))
        log.write("after\n")
        #expect(log.flush(patience: .seconds(5)))
        try pipe.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + .seconds(5)
        while !collected.finished(marker: "after\n"), ContinuousClock.now < deadline { usleep(1_000) }
        let text = collected.text
        #expect(text.contains("usagemock: \(dropped) log lines dropped: standard error was not taking them\n"))
        #expect(text.components(separatedBy: line).count - 1 == lines - dropped)
        #expect(log.droppedLines == dropped)
    }

    @Test func accessLinesKeepTheirLayout() throws {
        let pipe = Pipe()
        let log = BatchedStandardError(descriptor: pipe.fileHandleForWriting.fileDescriptor)
        log.writeAccessLine(method: "GET", path: "/usage/current_balance", status: 200, micros: 31)
        log.writeAccessLine(method: "POST", path: "/x", status: nil, micros: 0)
        #expect(log.flush(patience: .seconds(1)))
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains(" info usagemock: [UsageMock] GET /usage/current_balance 200 31us\n"))
        #expect(text.hasSuffix(" info usagemock: [UsageMock] POST /x dropped 0us\n"))
    }

    /// Each worker logs into a buffer of its own; a flush writes them all, each in order.
    @Test func everyWorkersLinesAreWrittenInTheirOrder() throws {
        let pipe = Pipe()
        let log = BatchedStandardError(descriptor: pipe.fileHandleForWriting.fileDescriptor)
        for index in 0..<3 {
            for worker in [0, 1, BatchedStandardError.bufferCount + 2] {
                log.writeAccessLine(method: "GET", path: "/\(worker)/\(index)", status: 200, micros: 1, worker: worker)
            }
        }
        #expect(log.flush(patience: .seconds(1)))
        try pipe.fileHandleForWriting.close()
        let paths = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").map { $0.split(separator: " ")[5] }
        #expect(paths.count == 9)
        for worker in [0, 1, BatchedStandardError.bufferCount + 2] {
            #expect(paths.filter { $0.hasPrefix("/\(worker)/") } == (0..<3).map { "/\(worker)/\($0)" })
        }
    }
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) { lock.withLock { data.append(chunk) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    func finished(marker: String) -> Bool { text.hasSuffix(marker) }
}
