/// `POST /__admin/usage/poe`: entries added to the account of `key`, their
/// `cost_points` taken from its balance.
///
/// `{"key":"sk_test_poe","entries":[{"bot_name":"GPT-5","cost_points":120}]}`; an entry
/// may also give `usage_type` (default `API`), `query_id` (default: a new one) and
/// `creation_time` (microseconds; default: the clock).
extension PoeSection {
    private struct UsageBody: Decodable {
        let key: String
        let entries: [NewEntry]

        private enum CodingKeys: String, CodingKey, CaseIterable { case key, entries }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            key = try container.decode(String.self, forKey: .key)
            entries = try container.decode([NewEntry].self, forKey: .entries)
        }
    }

    private struct NewEntry: Decodable {
        let botName: String
        let costPoints: Int
        let usageType: String?
        let queryID: String?
        let creationTime: Int?

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case botName = "bot_name"
            case costPoints = "cost_points"
            case usageType = "usage_type"
            case queryID = "query_id"
            case creationTime = "creation_time"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            botName = try container.decode(String.self, forKey: .botName)
            costPoints = try container.decode(Int.self, forKey: .costPoints)
            usageType = try container.decodeIfPresent(String.self, forKey: .usageType)
            queryID = try container.decodeIfPresent(String.self, forKey: .queryID)
            creationTime = try container.decodeIfPresent(Int.self, forKey: .creationTime)
        }
    }

    func addingUsage(_ json: [UInt8], clockSeconds: Int) throws(ScenarioError) -> PoeSection {
        let body = try ScenarioLoader.decode(UsageBody.self, from: json)
        let index = try accountIndex(withKey: body.key, in: accounts.map(\.keys), provider: "poe")
        guard !body.entries.isEmpty else { throw JSONPath.root["entries"].error("must not be empty") }
        var account = accounts[index]
        var queryIDs = Set(account.entries.map(\.queryID))
        var random = SeededGenerator(seed: UInt64(account.entries.count))
        for (position, entry) in body.entries.enumerated() {
            let path = JSONPath.root["entries"][position]
            let usageType = entry.usageType ?? "API"
            guard Self.usageTypes.contains(usageType) else {
                throw path["usage_type"].error("must be one of: \(Self.usageTypes.joined(separator: ", "))")
            }
            guard entry.costPoints >= 0 else { throw path["cost_points"].error("must not be negative") }
            guard entry.costPoints <= account.balance else {
                throw path["cost_points"].error("\(entry.costPoints) points is more than the balance left (\(account.balance))")
            }
            var queryID = entry.queryID.map(QueryID.init) ?? QueryID.random(count: 18, using: &random)
            while entry.queryID == nil && queryIDs.contains(queryID) { queryID = QueryID.random(count: 18, using: &random) }
            guard !queryID.isEmpty else { throw path["query_id"].error("must not be empty") }
            guard queryIDs.insert(queryID).inserted else { throw path["query_id"].error("duplicate query_id \"\(queryID)\"") }
            account.balance -= entry.costPoints
            account.entries.append(
                Entry(
                    creationTime: entry.creationTime ?? clockSeconds * 1_000_000, botName: entry.botName,
                    queryID: queryID, usageType: usageType, costPoints: entry.costPoints))
        }
        var section = self
        section.accounts[index] = account
        return section
    }
}
