/// HookBridge's section of a scenario: accounts with monthly usage rows, written out
/// or generated.
struct HookBridgeSection: ProviderSection {
    static let providerKey = "hookbridge"

    var accounts: [Account]

    struct Account: Decodable, Sendable {
        let keys: [String]
        let months: [Month]
        let generators: [Generator]
        /// Messages added at runtime (`POST /__admin/usage/hookbridge`), by month index.
        var addedMessages: [Int: Int] = [:]

        private enum CodingKeys: String, CodingKey, CaseIterable { case name, keys, months, generators }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            keys = try container.decode([String].self, forKey: .keys)
            months = try container.decodeIfPresent([Month].self, forKey: .months) ?? []
            generators = try container.decodeIfPresent([Generator].self, forKey: .generators) ?? []
        }
    }

    /// One month as the API returns it; `period_end` and `overage_count` may be left
    /// out (they follow from the rest) and are checked when given.
    struct Month: Decodable, Sendable {
        let periodStart: String
        let periodEnd: String?
        let messageCount: Int
        let overageCount: Int?
        let planLimit: Int?

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case periodStart = "period_start"
            case periodEnd = "period_end"
            case messageCount = "message_count"
            case overageCount = "overage_count"
            case planLimit = "plan_limit"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            periodStart = try container.decode(String.self, forKey: .periodStart)
            periodEnd = try container.decodeIfPresent(String.self, forKey: .periodEnd)
            messageCount = try container.decodeBounded(forKey: .messageCount)
            overageCount = try container.decodeBoundedIfPresent(forKey: .overageCount)
            planLimit = try container.decodeBoundedIfPresent(forKey: .planLimit)
        }
    }

    /// `count` consecutive months ending with `end_month` (`YYYY-MM`, default the
    /// clock's month); `plan_limits` is a list of choices in which `null` means unlimited.
    struct Generator: Decodable, Sendable {
        let seed: UInt64
        let count: Int
        let endMonth: String?
        let messageCount: IntRange
        let planLimits: [Int?]

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case seed, count
            case endMonth = "end_month"
            case messageCount = "message_count"
            case planLimits = "plan_limits"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            seed = try container.decode(UInt64.self, forKey: .seed)
            count = try container.decodeBounded(forKey: .count)
            endMonth = try container.decodeIfPresent(String.self, forKey: .endMonth)
            messageCount = try container.decode(IntRange.self, forKey: .messageCount)
            planLimits = try container.decode([Int?].self, forKey: .planLimits)
        }
    }

    func load(in context: inout ScenarioContext, at path: JSONPath) throws(ScenarioError) -> any ServedProvider {
        var served: [(keys: [String], account: HookBridgeProvider.Account)] = []
        for (index, account) in accounts.enumerated() {
            let accountPath = path["accounts"][index]
            try context.claim(keys: account.keys, at: accountPath["keys"])
            let months = try validatedMonths(of: account, clockSeconds: context.generatorClockSeconds, at: accountPath)
            served.append((account.keys, HookBridgeProvider.Account(months: months)))
        }
        return HookBridgeProvider(directory: AccountDirectory(served))
    }

    private func validatedMonths(of account: Account, clockSeconds: Int, at path: JSONPath) throws(ScenarioError) -> [HookBridgeProvider
        .MonthRow]
    {
        var rows: [HookBridgeProvider.MonthRow] = []
        var seen: [Int: JSONPath] = [:]
        func add(_ row: HookBridgeProvider.MonthRow, at rowPath: JSONPath) throws(ScenarioError) {
            if let first = seen[row.monthIndex] {
                throw rowPath.error("month \(row.periodStart) appears twice (first at \(first))")
            }
            seen[row.monthIndex] = rowPath
            rows.append(row)
        }
        for (index, month) in account.months.enumerated() {
            let monthPath = path["months"][index]
            guard let start = UTCTime.parseDate(month.periodStart), start.day == 1 else {
                throw monthPath["period_start"].error("must be the first day of a month, as YYYY-MM-01")
            }
            let row = HookBridgeProvider.MonthRow(
                year: start.year, month: start.month, messageCount: month.messageCount, planLimit: month.planLimit)
            if let end = month.periodEnd, end != row.periodEnd {
                throw monthPath["period_end"].error("must be the last day of \(row.periodStart)'s month: \(row.periodEnd)")
            }
            guard month.messageCount >= 0 else { throw monthPath["message_count"].error("must not be negative") }
            if let limit = month.planLimit, limit < 0 { throw monthPath["plan_limit"].error("must not be negative") }
            if let overage = month.overageCount, overage != row.overageCount {
                throw monthPath["overage_count"].error("must be max(0, message_count - plan_limit) = \(row.overageCount)")
            }
            try add(row, at: monthPath)
        }
        for (index, generator) in account.generators.enumerated() {
            let generatorPath = path["generators"][index]
            guard (0...12_000).contains(generator.count) else { throw generatorPath["count"].error("must be between 0 and 12000") }
            guard generator.messageCount.min >= 0 else { throw generatorPath["message_count"]["min"].error("must not be negative") }
            guard !generator.planLimits.isEmpty,
                generator.planLimits.allSatisfy({ (0...ScenarioBounds.integers.upperBound).contains($0 ?? 0) })
            else {
                throw generatorPath["plan_limits"].error("must be a non-empty list of non-negative integers or null")
            }
            let clock = UTCTime.civil(fromSeconds: clockSeconds)
            var endIndex = clock.year * 12 + clock.month - 1
            if let endMonth = generator.endMonth {
                guard let parsed = UTCTime.parseDate(endMonth + "-01") else { throw generatorPath["end_month"].error("must be YYYY-MM") }
                endIndex = parsed.year * 12 + parsed.month - 1
            }
            guard endIndex - generator.count + 1 >= 1970 * 12 else {
                throw generatorPath["count"].error(
                    "reaches before 1970: at most \(endIndex - 1970 * 12 + 1) months end at \(UTCTime.date(year: endIndex / 12, month: endIndex % 12 + 1, day: 1).prefix(7))"
                )
            }
            var random = SeededGenerator(seed: generator.seed)
            for offset in 0..<generator.count {
                let monthIndex = endIndex - offset
                let row = HookBridgeProvider.MonthRow(
                    year: monthIndex / 12, month: monthIndex % 12 + 1,
                    messageCount: generator.messageCount.random(using: &random),
                    planLimit: random.choice(generator.planLimits)
                )
                try add(row, at: generatorPath)
            }
        }
        return try Self.adding(account.addedMessages, to: rows).sorted { $0.monthIndex > $1.monthIndex }
    }
}
