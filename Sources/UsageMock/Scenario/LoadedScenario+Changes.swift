/// Runtime changes to a loaded scenario (`POST /__admin/clock`, `POST /__admin/usage/…`):
/// the document is changed and only the providers it affects are rebuilt, through the
/// same validation as a scenario file.
extension LoadedScenario {
    /// This scenario with "now" at `clockSeconds`. Generated rows stay where they were,
    /// so Poe's 30-day window slides over them; providers that do not read the clock
    /// are kept as they are.
    func movingClock(to clockSeconds: Int) throws(ScenarioError) -> LoadedScenario {
        try rebuilt(document, clockSeconds: clockSeconds) { type(of: $0).readsClock }
    }

    /// This scenario with a usage body added to one account of `providerKey`; only that
    /// provider is rebuilt. Nil when no provider has that key.
    func addingUsage(_ body: [UInt8], to providerKey: String) throws(ScenarioError) -> LoadedScenario? {
        guard let index = document.sections.firstIndex(where: { type(of: $0).providerKey == providerKey }) else { return nil }
        var changed = document
        changed.sections[index] = try document.sections[index].addingUsage(body, clockSeconds: clockSeconds)
        return try rebuilt(changed, clockSeconds: clockSeconds) { type(of: $0).providerKey == providerKey }
    }

    private func rebuilt(_ document: ScenarioDocument, clockSeconds: Int, rebuilding: (any ProviderSection) -> Bool) throws(ScenarioError)
        -> LoadedScenario
    {
        var providers = self.providers
        for (index, section) in document.sections.enumerated() where rebuilding(section) {
            // Keys are unchanged, so checking them within the section is enough.
            var context = ScenarioContext(clockSeconds: clockSeconds, generatorClockSeconds: generatorClockSeconds)
            providers[index] = try section.load(in: &context, at: JSONPath.root["providers"][type(of: section).providerKey])
        }
        return LoadedScenario(
            name: name, clockSeconds: clockSeconds, generatorClockSeconds: generatorClockSeconds,
            providers: providers, faults: faults, document: document)
    }
}

/// The account a usage body names by one of its keys, as an index into `accounts`.
func accountIndex(withKey key: String, in keys: [[String]], provider: String) throws(ScenarioError) -> Int {
    guard let index = keys.firstIndex(where: { $0.contains(key) }) else {
        throw JSONPath.root["key"].error("\"\(maskedKey(key))\" is not a key of any \(provider) account")
    }
    return index
}
