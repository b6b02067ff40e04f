#if LiveChecks
import ArgumentParser
import Foundation
import UsageMock

struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Page through a live account's data and write a scenario file that serve loads as is.",
        discussion: """
            Rows are written exactly as the API returned them, the key replaced by --as-key, the clock set to the time \
            of the recording. Exit 0 when written, 1 when the answers do not fit the contract, 2 when the API could not \
            be talked to; nothing is written unless it exits 0.
            """
    )

    @OptionGroup var live: LiveOptions

    @Option(help: "A Klaim user id to record (repeat for more; required for klaim).")
    var user: [String] = []

    @Option(help: "The scenario file to write.")
    var out: String

    @Option(help: "The key the recorded account answers to (default: the provider's test key, as in the default scenario).")
    var asKey: String?

    @Option(help: "At most this many rows.")
    var maxRows = 10_000

    func validate() throws {
        if LiveAPI.needsUsers(live.provider), user.isEmpty { throw ValidationError("\(live.provider) needs --user USER_ID") }
        guard maxRows >= 0 else { throw ValidationError("--max-rows must not be negative") }
    }

    func run() async throws {
        let recording: LiveAPI.Recording
        do {
            recording = try await HTTPSTransport.with(caFile: live.caFile, timeoutSeconds: live.timeout) { transport in
                try await LiveAPI.record(
                    live.provider, users: user, maxRows: maxRows, asKey: asKey ?? LiveAPI.testKey(of: live.provider) ?? "",
                    clockSeconds: Int(Date().timeIntervalSince1970), options: live.session, transport: transport)
            }
        } catch LiveAPI.RecordFailure.drift(let report) {
            print(live.masked(report.table), terminator: "")
            printError("usagemock record: the answers do not fit the contract (see above); nothing written")
            throw ExitCode.failure
        } catch LiveAPI.RecordFailure.invalid(let reason) {
            printError(live.masked("usagemock record: the recording would not load (\(reason)); nothing written"))
            throw ExitCode.failure
        } catch LiveAPI.RecordFailure.stopped(let stop) {
            printError(live.masked("usagemock record: \(stop); nothing written"))
            throw unreachableExitCode
        } catch {
            printError(live.masked("usagemock record: \(error); nothing written"))
            throw unreachableExitCode
        }
        do {
            try Data(recording.json).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            printError("usagemock record: cannot write \(out): \(error.localizedDescription)")
            throw ExitCode.failure
        }
        for note in recording.notes { printError("usagemock record: note: \(note)") }
        print("\(out): \(live.provider), \(recording.summary)")
    }
}
#endif
