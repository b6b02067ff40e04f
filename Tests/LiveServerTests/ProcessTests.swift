import Foundation
import HTTPServerCore
import MicroHTTPDServer
import SocketTestSupport
import Synchronization
import Testing

/// The `usagemock` executable as users start it.
@Suite(.serialized) struct ProcessTests {
    /// The executable built beside this test bundle.
    static var executable: URL {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("usagemock").path), directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("usagemock")
    }

    /// A started `usagemock serve --port 0` and the port it printed.
    final class RunningMock {
        let process = Process()
        let output = Pipe()
        /// The access log goes to a file, which tests read.
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("usagemock-log-\(UUID()).txt")
        var port = 0
        var readyLine = ""

        init(arguments: [String] = []) throws {
            process.executableURL = ProcessTests.executable
            process.arguments = ["serve", "--port", "0"] + arguments
            process.standardOutput = output
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: logFile)
            try process.run()
            var buffer = Data()
            while !buffer.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer += chunk
            }
            readyLine = String(decoding: buffer, as: UTF8.self).trimmingCharacters(in: .newlines)
            if let match = readyLine.firstMatch(of: /:(\d+) \(scenario:/) { port = Int(match.1) ?? 0 }
        }

        deinit {
            try? FileManager.default.removeItem(at: logFile)
        }

        var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

        /// SIGTERM, then the exit status and how long the exit took.
        func terminate() -> (status: Int32, elapsed: Duration) {
            let start = ContinuousClock.now
            process.terminate()
            process.waitUntilExit()
            return (process.terminationStatus, ContinuousClock.now - start)
        }
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        let output = Pipe()
        let errors = Pipe()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test func printsTheReadyLineWithTheBoundPort() throws {
        let mock = try RunningMock()
        #expect(mock.readyLine == "usagemock listening on http://127.0.0.1:\(mock.port) (scenario: default)")
        #expect(mock.port > 0)
        let health = try Self.run(["health", "--url", "http://127.0.0.1:\(mock.port)"])
        #expect(health.status == 0)
        let stop = mock.terminate()
        #expect(stop.status == 0)
    }

    @Test func sigtermRightAfterTheReadyLineExitsZero() throws {
        for _ in 0..<5 {
            let mock = try RunningMock()
            #expect(mock.port > 0)
            #expect(mock.terminate().status == 0)
        }
    }

    /// A client that stops the mock as soon as it got its first answer (as a test
    /// harness polling for readiness does) still gets a graceful exit: the server
    /// answers nothing before the process traps SIGTERM.
    @Test func sigtermRightAfterTheFirstAnswerExitsZero() throws {
        for _ in 0..<5 {
            // A port free a moment ago: bound, never started, closed.
            let probe = try HTTPServer(configuration: ServerConfiguration(port: 0), responder: LiveServerTests.quietApplication())
            let port = probe.port
            probe.shutdown()
            let process = Process()
            process.executableURL = Self.executable
            process.arguments = ["serve", "--port", String(port), "--log-level", "error"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let deadline = ContinuousClock.now + .seconds(10)
            var answered = false
            while !answered, ContinuousClock.now < deadline, process.isRunning {
                if let connection = try? RawConnection(port: port, timeoutSeconds: 2) {
                    connection.send("GET /__admin/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    answered = connection.receiveResponse()?.status == 200
                } else {
                    usleep(500)
                }
            }
            process.terminate()
            process.waitUntilExit()
            #expect(answered)
            #expect(
                process.terminationReason == .exit && process.terminationStatus == 0,
                "\(process.terminationReason == .exit ? "exit" : "signal") \(process.terminationStatus)")
        }
    }

    @Test func aTakenPortExitsWith1AndSaysSo() throws {
        let mock = try RunningMock()
        defer { _ = mock.terminate() }
        let second = try Self.run(["serve", "--port", String(mock.port)])
        #expect(second.status == 1)
        #expect(second.errors.contains("address already in use"))
    }

    @Test func sigtermUnderLoadExitsZeroWithinOneSecond() throws {
        let mock = try RunningMock()
        let port = mock.port
        final class StopFlag: Sendable { let stopped = Atomic<Bool>(false) }
        let stop = StopFlag()
        let clients = (0..<4).map { _ in
            Thread {
                // Keep-alive clients that never pause: shutdown must close them, not wait.
                guard let connection = try? RawConnection(port: port, timeoutSeconds: 2) else { return }
                while !stop.stopped.load(ordering: .relaxed) {
                    connection.send("GET /api/v1/usage?limit=200 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer sk_ops_test\r\n\r\n")
                    guard connection.receiveResponse() != nil else { return }
                }
            }
        }
        for client in clients { client.start() }
        usleep(300_000)
        let result = mock.terminate()
        stop.stopped.store(true, ordering: .relaxed)
        #expect(result.status == 0)
        #expect(result.elapsed < .seconds(1))
    }

    /// As test harnesses start it: standard error a pipe that nobody reads. The access
    /// log fills the pipe after a few hundred requests; the server must go on answering
    /// and still stop at once.
    @Test func anUnreadStandardErrorPipeNeitherStallsNorDelaysTheExit() throws {
        let process = Process()
        let output = Pipe()
        let unread = Pipe()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--port", "0"]
        process.standardOutput = output
        process.standardError = unread
        try process.run()
        let readyLine = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        let port = try #require(readyLine.firstMatch(of: /:(\d+) \(scenario:/).flatMap { Int($0.1) })
        let connection = try RawConnection(port: port, timeoutSeconds: 2)
        var answered = 0
        for _ in 0..<5000 {
            connection.send("GET /usage/current_balance HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_poe\r\n\r\n")
            guard connection.receiveResponse()?.status == 200 else { break }
            answered += 1
        }
        #expect(answered == 5000)
        let clock = ContinuousClock()
        let started = clock.now
        process.terminate()
        while process.isRunning, clock.now - started < .seconds(3) { usleep(1_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(clock.now - started < .seconds(1))
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }

    @Test func logsNeverShowAuthorization() throws {
        let mock = try RunningMock()
        let connection = try RawConnection(port: mock.port)
        connection.send("GET /usage/current_balance HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer sk_test_poe\r\n\r\n")
        #expect(connection.receiveResponse()?.status == 200)
        connection.send("GET /usage/current_balance HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer token_from_the_request\r\n\r\n")
        #expect(connection.receiveResponse()?.status == 401)
        _ = mock.terminate()
        let log = mock.log
        #expect(log.contains("GET /usage/current_balance 200"))
        #expect(!log.contains("token_from_the_request"))
        // The scenario's keys appear in the startup summary only, never from a request.
        #expect(log.split(separator: "\n").filter { $0.contains("sk_test_poe") }.allSatisfy { $0.contains("keys: sk_test_poe (") })
    }

    @Test func badScenarioStopsBeforeListening() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("usagemock-bad-\(UUID()).json")
        try Data(#"{"name":"x","clock":"2026-11-21T12:00:00Z","providers":{"poe":{"accounts":[{"keys":["k"],"balance":"x"}]}}}"#.utf8)
            .write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Self.run(["serve", "--port", "0", "--scenario", file.path])
        #expect(result.status != 0)
        #expect(result.errors.contains("\(file.path): $.providers.poe.accounts[0].balance"))
        #expect(!result.output.contains("listening"))
        let missing = try Self.run(["serve", "--port", "0", "--scenario", "/nonexistent.json"])
        #expect(missing.status != 0)
        #expect(missing.errors.contains("/nonexistent.json"))
    }

    @Test func validateNamesFilePathAndReason() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let good = try Self.run(["validate", root.appendingPathComponent("Scenarios/default.json").path])
        #expect(good.status == 0)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("usagemock-bad-\(UUID()).json")
        try Data("{\"name\": \"x\",\n \"clock\": oops}".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let bad = try Self.run(["validate", file.path])
        #expect(bad.status != 0)
        #expect(bad.errors.contains("\(file.path): line 2, column 11: invalid JSON"))
    }

    @Test func versionAndHelp() throws {
        #expect(try Self.run(["--version"]).output.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        for command in [["--help"], ["serve", "--help"], ["validate", "--help"], ["health", "--help"]] {
            let result = try Self.run(command)
            #expect(result.status == 0)
            #expect(result.output.contains("USAGE"))
        }
    }

    @Test func environmentSettingsApplyAndFlagsWin() throws {
        let process = Process()
        let output = Pipe()
        process.executableURL = Self.executable
        process.arguments = ["serve"]
        process.environment = [
            "USAGEMOCK_PORT": "0", "USAGEMOCK_HOST": "127.0.0.1",
            "USAGEMOCK_SCENARIO": URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Scenarios/empty.json").path,
        ]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        process.terminate()
        process.waitUntilExit()
        #expect(line.contains("(scenario: empty)"))
        #expect(!line.contains(":8080"))
    }
}
