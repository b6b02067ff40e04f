#if LiveChecks
import ArgumentParser
import UsageMock

/// What `verify` and `record` share: which API, which key, and how politely to ask.
struct LiveOptions: ParsableArguments {
    @Argument(help: "poe, hookbridge, klaim or sybilion.")
    var provider: String

    @Option(help: "The API's base URL, e.g. https://api.poe.com (or anything that claims to be it).")
    var baseURL: String

    @Option(help: "The API key (default: $USAGEMOCK_API_KEY). Never printed.")
    var key: String?

    @Option(help: "At most this many requests.")
    var maxRequests = 50

    @Option(help: "Seconds to wait between two requests.")
    var pause = 0.5

    @Option(help: "Seconds to wait for a connection or an answer.")
    var timeout: Int64 = 20

    @Option(help: "A PEM file of certificates to trust besides the system's (a proxy's or a test's CA).")
    var caFile: String?

    mutating func validate() throws {
        guard LiveAPI.providerKeys.contains(provider) else {
            throw ValidationError("unknown provider \"\(provider)\"; expected one of: \(LiveAPI.providerKeys.joined(separator: ", "))")
        }
        guard baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://") else {
            throw ValidationError("--base-url must start with https:// or http://")
        }
        while baseURL.hasSuffix("/") { baseURL.removeLast() }
        guard maxRequests >= 1 else { throw ValidationError("--max-requests must be at least 1") }
        guard pause >= 0, pause <= 60 else { throw ValidationError("--pause must be between 0 and 60 seconds") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1 second") }
        if key == nil { key = environment("USAGEMOCK_API_KEY") }
        guard let key, !key.isEmpty else { throw ValidationError("give --key or set USAGEMOCK_API_KEY") }
    }

    var session: LiveSession.Options {
        LiveSession.Options(baseURL: baseURL, key: key ?? "", maxRequests: maxRequests, pause: .milliseconds(Int((pause * 1000).rounded())))
    }

    /// `text` with the key masked, should an API have echoed it.
    func masked(_ text: String) -> String {
        guard let key, key.count >= 4 else { return text }
        return text.replacing(key, with: String(key.prefix(4)) + "****")
    }
}

/// Exit code 2: the API could not be talked to (unreachable, TLS, 429, 5xx, not JSON).
let unreachableExitCode = ExitCode(2)
#endif
