/// Every provider the mock knows, in the order they are listed and routed.
/// A new provider is a folder under `Providers/` plus its line here.
let providerSections: [any ProviderSection.Type] = [
    PoeSection.self, HookBridgeSection.self, KlaimSection.self, SybilionSection.self,
]

/// A scenario file as written: name, clock, one section per provider and the faults.
struct ScenarioDocument: Decodable, Sendable {
    let name: String
    /// An RFC 3339 UTC timestamp, or `"wall"` for the machine's clock at load time.
    let clock: String
    var sections: [any ProviderSection]
    let faults: [FaultDefinition]

    private enum CodingKeys: String, CodingKey, CaseIterable { case name, clock, providers, faults }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        clock = try container.decode(String.self, forKey: .clock)
        let providers = try container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .providers)
        let known = providerSections.map { $0.providerKey }
        for key in providers.allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: providers,
                debugDescription: "unknown provider \"\(key.stringValue)\"; expected one of: \(known.joined(separator: ", "))"
            )
        }
        faults = try container.decodeIfPresent([FaultDefinition].self, forKey: .faults) ?? []
        sections = try providerSections.map { type in
            let key = AnyCodingKey(stringValue: type.providerKey)
            return providers.contains(key) ? try type.init(from: providers.superDecoder(forKey: key)) : type.empty
        }
    }
}
