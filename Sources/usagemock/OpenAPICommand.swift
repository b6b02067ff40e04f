import ArgumentParser
import UsageMock

struct OpenAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print a provider's OpenAPI 3.1 document (the same as GET /__admin/openapi/PROVIDER)."
    )

    @Argument(help: "poe, hookbridge, klaim or sybilion.")
    var provider: String

    func run() throws {
        let providers = ScenarioLoader.loadDefault().providers
        guard let served = providers.first(where: { $0.name == provider }) else {
            throw ValidationError("unknown provider \"\(provider)\"; expected one of: \(providers.map(\.name).joined(separator: ", "))")
        }
        print(String(decoding: OpenAPIDocument.json(for: served, version: usagemockVersion), as: UTF8.self))
    }
}
