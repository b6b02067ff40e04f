/// Poe's section of a scenario: accounts with a balance and points-history entries,
/// written out or generated.
struct PoeSection: ProviderSection {
    static let providerKey = "poe"
    static let usageTypes = ["API", "Chat", "Canvas App"]
    /// The 30-day window ends at the clock.
    static let readsClock = true

    var accounts: [Account]

    struct Account: Decodable, Sendable {
        let keys: [String]
        var balance: Int
        var entries: [Entry]
        let generators: [Generator]

        private enum CodingKeys: String, CodingKey, CaseIterable { case name, keys, balance, entries, generators }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            keys = try container.decode([String].self, forKey: .keys)
            balance = try container.decodeBounded(forKey: .balance)
            entries = try container.decodeIfPresent([Entry].self, forKey: .entries) ?? []
            generators = try container.decodeIfPresent([Generator].self, forKey: .generators) ?? []
        }
    }

    /// One entry exactly as the API returns it.
    struct Entry: Decodable, Sendable {
        let creationTime: Int
        let botName: String
        let queryID: QueryID
        let usageType: String
        let costPoints: Int

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case creationTime = "creation_time"
            case botName = "bot_name"
            case queryID = "query_id"
            case usageType = "usage_type"
            case costPoints = "cost_points"
        }

        init(creationTime: Int, botName: String, queryID: QueryID, usageType: String, costPoints: Int) {
            (self.creationTime, self.botName, self.queryID, self.usageType, self.costPoints) = (
                creationTime, botName, queryID, usageType, costPoints
            )
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            creationTime = try container.decodeBounded(forKey: .creationTime)
            botName = try container.decode(String.self, forKey: .botName)
            queryID = QueryID(try container.decode(String.self, forKey: .queryID))
            usageType = try container.decode(String.self, forKey: .usageType)
            costPoints = try container.decodeBounded(forKey: .costPoints)
        }
    }

    /// `count` entries aged `age_seconds` before the clock (30 days is 2592000 s: an
    /// entry is inside Poe's window when its age is below that).
    struct Generator: Decodable, Sendable {
        let seed: UInt64
        let count: Int
        let ageSeconds: IntRange
        let botNames: [String]
        let usageTypes: [String]
        let costPoints: IntRange

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case seed, count
            case ageSeconds = "age_seconds"
            case botNames = "bot_names"
            case usageTypes = "usage_types"
            case costPoints = "cost_points"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            seed = try container.decode(UInt64.self, forKey: .seed)
            count = try container.decodeBounded(forKey: .count)
            ageSeconds = try container.decode(IntRange.self, forKey: .ageSeconds)
            botNames = try container.decode([String].self, forKey: .botNames)
            usageTypes = try container.decodeIfPresent([String].self, forKey: .usageTypes) ?? PoeSection.usageTypes
            costPoints = try container.decode(IntRange.self, forKey: .costPoints)
        }

        func entries(clockMicros: Int, taken: inout Set<QueryID>) -> [Entry] {
            var random = SeededGenerator(seed: seed)
            return (0..<count).map { _ in
                let ageMicros = Int.random(in: (ageSeconds.min * 1_000_000)...(ageSeconds.max * 1_000_000 + 999_999), using: &random)
                var queryID = QueryID.random(count: 18, using: &random)
                while !taken.insert(queryID).inserted { queryID = QueryID.random(count: 18, using: &random) }
                return Entry(
                    creationTime: clockMicros - ageMicros,
                    botName: random.choice(botNames),
                    queryID: queryID,
                    usageType: random.choice(usageTypes),
                    costPoints: costPoints.random(using: &random)
                )
            }
        }
    }

    func load(in context: inout ScenarioContext, at path: JSONPath) throws(ScenarioError) -> any ServedProvider {
        var served: [(keys: [String], account: PoeProvider.Account)] = []
        for (index, account) in accounts.enumerated() {
            let accountPath = path["accounts"][index]
            try context.claim(keys: account.keys, at: accountPath["keys"])
            let entries = try validatedEntries(of: account, context: context, at: accountPath)
            served.append(
                (
                    account.keys,
                    PoeProvider.Account(balance: account.balance, entries: entries, clockMicros: context.clockSeconds * 1_000_000)
                ))
        }
        return PoeProvider(directory: AccountDirectory(served))
    }

    private func validatedEntries(of account: Account, context: ScenarioContext, at path: JSONPath) throws(ScenarioError) -> [Entry] {
        var queryIDs = Set<QueryID>()
        for (index, entry) in account.entries.enumerated() {
            let entryPath = path["entries"][index]
            guard !entry.queryID.isEmpty else { throw entryPath["query_id"].error("must not be empty") }
            guard queryIDs.insert(entry.queryID).inserted else {
                throw entryPath["query_id"].error("duplicate query_id \"\(entry.queryID)\"")
            }
            guard Self.usageTypes.contains(entry.usageType) else {
                throw entryPath["usage_type"].error("must be one of: \(Self.usageTypes.joined(separator: ", "))")
            }
            guard entry.costPoints >= 0 else { throw entryPath["cost_points"].error("must not be negative") }
        }
        var entries = account.entries
        for (index, generator) in account.generators.enumerated() {
            let generatorPath = path["generators"][index]
            guard (0...10_000_000).contains(generator.count) else { throw generatorPath["count"].error("must be between 0 and 10000000") }
            try context.checkAges(generator.ageSeconds, at: generatorPath["age_seconds"])
            guard !generator.botNames.isEmpty else { throw generatorPath["bot_names"].error("must not be empty") }
            guard !generator.usageTypes.isEmpty, generator.usageTypes.allSatisfy(Self.usageTypes.contains) else {
                throw generatorPath["usage_types"].error("must be a non-empty list of: \(Self.usageTypes.joined(separator: ", "))")
            }
            guard generator.costPoints.min >= 0 else { throw generatorPath["cost_points"]["min"].error("must not be negative") }
            // Room for the new ids up front: growing the set a million times was a
            // third of loading a million generated entries.
            queryIDs.reserveCapacity(queryIDs.count + generator.count)
            entries.reserveCapacity(entries.count + generator.count)
            entries += generator.entries(clockMicros: context.generatorClockSeconds * 1_000_000, taken: &queryIDs)
        }
        return entries
    }
}
