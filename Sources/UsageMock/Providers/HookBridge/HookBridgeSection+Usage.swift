/// `POST /__admin/usage/hookbridge`: messages counted in one month of the account of
/// `key`: `{"key":"hb_test_key","messages":25}`, optionally `"month":"2026-11"`
/// (default: the clock's month). Overage follows from the new count.
extension HookBridgeSection {
    private struct UsageBody: Decodable {
        let key: String
        let messages: Int
        let month: String?

        private enum CodingKeys: String, CodingKey, CaseIterable { case key, messages, month }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            key = try container.decode(String.self, forKey: .key)
            messages = try container.decode(Int.self, forKey: .messages)
            month = try container.decodeIfPresent(String.self, forKey: .month)
        }
    }

    /// At most this many messages per request, so counts stay far from overflowing.
    static let maxAddedMessages = 1_000_000_000

    func addingUsage(_ json: [UInt8], clockSeconds: Int) throws(ScenarioError) -> HookBridgeSection {
        let body = try ScenarioLoader.decode(UsageBody.self, from: json)
        let index = try accountIndex(withKey: body.key, in: accounts.map(\.keys), provider: "hookbridge")
        guard (1...Self.maxAddedMessages).contains(body.messages) else {
            throw JSONPath.root["messages"].error("must be between 1 and \(Self.maxAddedMessages)")
        }
        let clock = UTCTime.civil(fromSeconds: clockSeconds)
        var monthIndex = clock.year * 12 + clock.month - 1
        if let month = body.month {
            guard let parsed = UTCTime.parseDate(month + "-01") else { throw JSONPath.root["month"].error("must be YYYY-MM") }
            monthIndex = parsed.year * 12 + parsed.month - 1
        }
        var section = self
        let total = section.accounts[index].addedMessages[monthIndex, default: 0] + body.messages
        guard total <= Self.maxAddedMessages * 1000 else { throw JSONPath.root["messages"].error("too many messages added to this month") }
        section.accounts[index].addedMessages[monthIndex] = total
        return section
    }

    /// The months with added messages counted; a month the account has no row for gets
    /// one, with the plan limit of the latest month before it (unlimited when none).
    static func adding(_ added: [Int: Int], to rows: [HookBridgeProvider.MonthRow]) throws(ScenarioError) -> [HookBridgeProvider.MonthRow] {
        guard !added.isEmpty else { return rows }
        var result: [HookBridgeProvider.MonthRow] = []
        for row in rows {
            // A count within ±2^53 − 1 plus at most 10^12 added cannot overflow.
            let count = try ScenarioBounds.integer(
                row.messageCount + added[row.monthIndex, default: 0], at: JSONPath.root["messages"],
                "the message count of \(UTCTime.date(year: row.year, month: row.month, day: 1).prefix(7))")
            result.append(HookBridgeProvider.MonthRow(year: row.year, month: row.month, messageCount: count, planLimit: row.planLimit))
        }
        let existing = Set(rows.map(\.monthIndex))
        for (monthIndex, messages) in added.sorted(by: { $0.key < $1.key }) where !existing.contains(monthIndex) {
            let planLimit = rows.filter { $0.monthIndex < monthIndex }.max { $0.monthIndex < $1.monthIndex }?.planLimit
            result.append(
                HookBridgeProvider.MonthRow(year: monthIndex / 12, month: monthIndex % 12 + 1, messageCount: messages, planLimit: planLimit)
            )
        }
        return result
    }
}
