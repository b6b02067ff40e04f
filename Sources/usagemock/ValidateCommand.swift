import ArgumentParser
import UsageMock

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files; exit 0 when every one is valid."
    )

    @Argument(help: "Scenario JSON files (a JSON Schema among them, as with Scenarios/*.json, is skipped).")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            if ScenarioLoader.isJSONSchema(contentsOf: file) {
                print("\(file): skipped, a JSON Schema, not a scenario")
                continue
            }
            do {
                let scenario = try ScenarioLoader.load(contentsOf: file)
                let summary = scenario.providers.map { "\($0.name): \($0.countsText)" }
                print("\(file): ok, scenario \"\(scenario.name)\" (\(summary.joined(separator: "; ")))")
            } catch {
                printError("\(error)")
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}
