#if LiveChecks
import ArgumentParser
import UsageMock

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Check a live API against the contract the mock serves; exit 0 when nothing drifted, 1 on drift, 2 when it could not be talked to.",
        discussion: "Read-only and polite: GET only (and Klaim's read-only POST), at most --max-requests, --pause between requests."
    )

    @OptionGroup var live: LiveOptions

    @Option(help: "A Klaim user id to read (required for klaim).")
    var user: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        if LiveAPI.needsUsers(live.provider), user == nil { throw ValidationError("\(live.provider) needs --user USER_ID") }
    }

    func run() async throws {
        let report: VerifyReport
        do {
            report = try await HTTPSTransport.with(caFile: live.caFile, timeoutSeconds: live.timeout) { transport in
                try await LiveAPI.verify(live.provider, users: user.map { [$0] } ?? [], options: live.session, transport: transport)
            }
        } catch {
            printError(live.masked("usagemock verify: \(error)"))
            throw unreachableExitCode
        }
        print(live.masked(json ? String(decoding: report.json, as: UTF8.self) : report.table), terminator: json ? "\n" : "")
        if report.drifted { throw ExitCode.failure }
    }
}
#endif
