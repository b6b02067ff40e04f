import ArgumentParser

@main
struct UsageMockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usagemock",
        abstract: "A local mock server for the Poe, HookBridge, Klaim and Sybilion usage APIs.",
        version: "0.1.0",
        subcommands: [ServeCommand.self, ValidateCommand.self, HealthCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
