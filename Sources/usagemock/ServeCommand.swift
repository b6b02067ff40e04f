import ArgumentParser
import HTTPServerCore
import Logging
import MicroHTTPDServer
import ServiceLifecycle
import UsageMock

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the mock until SIGTERM or SIGINT."
    )

    @Option(help: "Address to bind (env USAGEMOCK_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to bind, 0 for any free port (env USAGEMOCK_PORT; default 8080).")
    var port: Int?

    @Option(help: "Scenario JSON file (env USAGEMOCK_SCENARIO; default: the embedded default scenario).")
    var scenario: String?

    @Option(help: "Worker threads (default: one per core).")
    var threads: Int?

    @Option(help: "Seconds before an idle connection is closed.")
    var idleTimeout: Int = 30

    @Option(help: "Connections served at once.")
    var maxConnections: Int = 1000

    @Option(
        help: ArgumentHelp(
            "Log level: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")) (default: info).", valueName: "level"),
        transform: { value in
            // A transform rather than a conformance of swift-log's type to swift-argument-parser's protocol.
            guard let level = Logger.Level(rawValue: value) else { throw ValidationError("unknown log level '\(value)'") }
            return level
        })
    var logLevel: Logger.Level = .info

    @Option(help: "Requests kept by the journal (GET /__admin/requests); 0 turns it off.")
    var journalSize: Int = TrafficOptions.defaultJournalSize

    @Flag(name: .customLong("no-cors"), help: "Send no CORS headers and answer no CORS preflight.")
    var noCORS = false

    @Flag(help: "Serve the scenario file again whenever it changes (an invalid change is logged and refused).")
    var watch = false

    @Option(
        help:
            "Token every /__admin/ request must bear (Authorization: Bearer TOKEN); for a non-loopback --host (env USAGEMOCK_ADMIN_TOKEN).")
    var adminToken: String?

    /// Every check of the options and environment is made here rather than in `run()`,
    /// so that an error shows this subcommand's usage, not the top-level one.
    func validate() throws {
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be between 1 and 1024") }
        guard idleTimeout >= 1 else { throw ValidationError("--idle-timeout must be at least 1") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard (0...1_000_000).contains(journalSize) else { throw ValidationError("--journal-size must be between 0 and 1000000") }
        _ = try portNumber()
        if watch && scenarioPath == nil { throw ValidationError("--watch needs a scenario file (--scenario or USAGEMOCK_SCENARIO)") }
    }

    /// `--port`, else `USAGEMOCK_PORT`, else 8080.
    private func portNumber() throws -> Int {
        let portText = self.port.map(String.init) ?? environment("USAGEMOCK_PORT") ?? "8080"
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ValidationError("the port must be a number from 0 to 65535 (got \(portText))")
        }
        return port
    }

    private var scenarioPath: String? { self.scenario ?? environment("USAGEMOCK_SCENARIO") }

    func run() async throws {
        let host = self.host ?? environment("USAGEMOCK_HOST") ?? "127.0.0.1"
        let port = try portNumber()

        // Read before the scenario loads, so the watcher sees changes made meanwhile.
        let watchedContents = watch ? scenarioPath.flatMap(ScenarioWatcher.contents(of:)) : nil
        let scenario: LoadedScenario
        do {
            scenario = try scenarioPath.map(ScenarioLoader.load(contentsOf:)) ?? ScenarioLoader.loadDefault()
        } catch {
            printError("usagemock: invalid scenario: \(error)")
            throw ExitCode.failure
        }
        releaseFreedMemory()

        // With TZ unset, glibc re-reads /etc/localtime for every log line's timestamp
        // (a stat per request); naming the file once keeps local time without that.
        setenv("TZ", ":/etc/localtime", 0)
        let logOutput = BatchedStandardError()
        var logger = Logger(label: "usagemock") { StreamLogHandler(label: $0, stream: logOutput, metadataProvider: nil) }
        logger.logLevel = logLevel
        let configuration = ServerConfiguration(
            host: host, port: port, threads: threads ?? ServerConfiguration.defaultThreadCount, connectionLimit: maxConnections,
            idleTimeoutSeconds: idleTimeout
        )
        let admin = AdminAccess(boundHost: host, token: adminToken ?? environment("USAGEMOCK_ADMIN_TOKEN"))
        let application = MockApplication(
            scenario: scenario, traffic: TrafficOptions(journalSize: journalSize, cors: !noCORS), admin: admin,
            accessLog: logLevel <= .info ? logOutput : nil
        )
        let server: HTTPServer
        do {
            server = try HTTPServer(configuration: configuration, responder: application)
        } catch {
            printError("usagemock: \(error)")
            throw ExitCode.failure
        }

        let shownHost = host.contains(":") ? "[\(host)]" : host
        let readyLine = "usagemock listening on http://\(shownHost):\(server.port) (scenario: \(scenario.name))"
        let summary = application.startupSummary(baseURL: "http://\(shownHost):\(server.port)")
        // The log's flusher first: services stop in reverse order, so it writes the
        // server's last lines.
        var services: [any Service] = [
            LogFlusher(output: logOutput), ServerService(server: server, readyLine: readyLine, summary: summary),
        ]
        if watch, let scenarioPath {
            services.append(ScenarioWatcher(path: scenarioPath, application: application, logger: logger, loadedContents: watchedContents))
        }
        let group = ServiceGroup(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        defer { logOutput.flush(patience: .milliseconds(100)) }
        try await group.run()
    }
}

/// Announces the server, holds it until a shutdown signal, then stops it gracefully.
struct ServerService: Service {
    let server: HTTPServer
    let readyLine: String
    /// For people: printed on stderr after the ready line, which stays the first line
    /// on stdout for whoever waits on it.
    let summary: String

    func run() async throws {
        // Started and announced here, not before the group runs: the group traps SIGTERM
        // and SIGINT before it starts its services, so a client that stops the process
        // as soon as it gets an answer or reads this line gets a graceful exit, not death
        // by signal.
        do {
            try server.start()
        } catch {
            printError("usagemock: \(error)")
            throw ExitCode.failure
        }
        print(readyLine)
        // Flushed now: whoever started the process may be waiting for this line.
        fflush(nil)
        printError(summary)
        try? await gracefulShutdown()
        server.shutdown()
    }
}

/// A setting from the environment; an empty variable counts as unset.
func environment(_ name: String) -> String? {
    ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
}

func printError(_ message: String) {
    let bytes = Array((message + "\n").utf8)
    _ = write(STDERR_FILENO, bytes, bytes.count)
}
