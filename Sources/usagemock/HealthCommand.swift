import ArgumentParser
import HTTPServerCore
import MicroHTTPDServer

struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Probe a running mock's /__admin/health; exit 0 when it answers 200 (for container health checks)."
    )

    @Option(help: "Base URL of the mock (default: http://127.0.0.1:$USAGEMOCK_PORT, port 8080 when unset).")
    var url: String?

    func run() throws {
        let base = url ?? "http://127.0.0.1:\(environment("USAGEMOCK_PORT") ?? "8080")"
        guard base.hasPrefix("http://") else { throw ValidationError("--url must start with http://") }
        let authority = base.dropFirst("http://".count).prefix { $0 != "/" }
        let hostAndPort: (host: Substring, port: Substring)
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            hostAndPort = (authority[authority.index(after: authority.startIndex)..<close], authority[close...].dropFirst(2))
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1)
            hostAndPort = (parts.first ?? "", parts.count > 1 ? parts[1] : "80")
        }
        guard let port = Int(hostAndPort.port.isEmpty ? "80" : hostAndPort.port) else { throw ValidationError("bad port in --url") }
        let status = HealthProbe.statusCode(host: String(hostAndPort.host), port: port, path: "/__admin/health")
        guard status == 200 else {
            printError("usagemock: \(base)/__admin/health answered \(status.map(String.init) ?? "nothing")")
            throw ExitCode.failure
        }
        print("ok")
    }
}
