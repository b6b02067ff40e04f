import ArgumentParser
import UsageMock

struct OpenAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print a provider's OpenAPI 3.1 document (the same as GET /__admin/openapi/PROVIDER)."
    )

    @Argument(help: "poe, hookbridge, klaim or sybilion.")
    var provider: String

    /// Checked here, not in `run()`: ArgumentParser shows this subcommand's usage only
    /// for errors thrown before it runs.
    func validate() throws {
        let names = ScenarioLoader.loadDefault().providers.map(\.name)
        guard names.contains(provider) else {
            throw ValidationError("unknown provider \"\(provider)\"; expected one of: \(names.joined(separator: ", "))")
        }
    }

    func run() throws {
        let served = ScenarioLoader.loadDefault().providers.first { $0.name == provider }!
        // No newline added: the output is byte for byte what the admin route answers.
        print(String(decoding: OpenAPIDocument.json(for: served, version: usagemockVersion), as: UTF8.self), terminator: "")
    }
}
