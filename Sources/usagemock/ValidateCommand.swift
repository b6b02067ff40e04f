import ArgumentParser
import UsageMock

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files; exit 0 when every one is valid."
    )

    @Argument(help: "Scenario JSON files.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            do {
                let scenario = try ScenarioLoader.load(contentsOf: file)
                let summary = scenario.providers.map { provider in
                    "\(provider.name): " + provider.counts.map { "\($0.count) \($0.kind)" }.joined(separator: ", ")
                }
                print("\(file): ok, scenario \"\(scenario.name)\" (\(summary.joined(separator: "; ")))")
            } catch {
                printError("\(error)")
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}
