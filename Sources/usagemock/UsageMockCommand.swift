import ArgumentParser
import UsageMock

@main
struct UsageMockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usagemock",
        abstract: "A local mock server for the Poe, HookBridge, Klaim and Sybilion usage APIs.",
        version: usagemockVersion,
        subcommands: [ServeCommand.self, ValidateCommand.self, HealthCommand.self, OpenAPICommand.self, VerifyCommand.self, RecordCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
