import HTTPTypes

/// The mock's own response headers. A provider's body stays exactly the provider's, so
/// what the mock has to say about an answer (why it refused, what it ignored) goes here.
enum MockHeaders {
    /// Why the mock answered as it did for its own reasons: which auth check failed,
    /// which parameter was refused, which fault fired. Never a key.
    static let reason = HTTPField.Name("X-Usagemock-Reason")!
    /// Input the real API ignores, and so does the mock: named here, `; `-separated.
    static let warning = HTTPField.Name("X-Usagemock-Warning")!
}
