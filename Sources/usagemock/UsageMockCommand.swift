import ArgumentParser
import UsageMock

@main
struct UsageMockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usagemock",
        abstract: "A local mock server for the Poe, HookBridge, Klaim and Sybilion usage APIs.",
        version: usagemockVersion,
        subcommands: [ServeCommand.self, ValidateCommand.self, HealthCommand.self, OpenAPICommand.self] + liveCommands,
        defaultSubcommand: ServeCommand.self
    )
}

/// `verify` and `record`, built with the `LiveChecks` trait (on by default; the
/// sanitizer runs leave it off, so they do not compile the HTTPS client).
#if LiveChecks
private let liveCommands: [any ParsableCommand.Type] = [VerifyCommand.self, RecordCommand.self]
#else
private let liveCommands: [any ParsableCommand.Type] = []
#endif
