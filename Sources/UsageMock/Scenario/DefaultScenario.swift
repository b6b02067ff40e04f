/// The default scenario (`Scenarios/default.json`), embedded so the binary needs no files.
enum DefaultScenario {
    static var json: [UInt8] { PackageResources.default_json }
}
