/// Sybilion's section of a scenario: accounts with usage events, written out or
/// generated.
struct SybilionSection: ProviderSection {
    static let providerKey = "sybilion"

    var accounts: [Account]

    struct Account: Decodable, Sendable {
        let keys: [String]
        let events: [Event]
        let generators: [Generator]
        /// Events added at runtime (`POST /__admin/usage/sybilion`), ids still to assign.
        var addedEvents: [SybilionProvider.EventRow] = []

        private enum CodingKeys: String, CodingKey, CaseIterable { case name, keys, events, generators }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            keys = try container.decode([String].self, forKey: .keys)
            events = try container.decodeIfPresent([Event].self, forKey: .events) ?? []
            generators = try container.decodeIfPresent([Generator].self, forKey: .generators) ?? []
        }
    }

    /// One usage event as the API returns it.
    struct Event: Decodable, Sendable {
        let id: Int
        let endpoint: String?
        let units: Int
        let creditsCharged: Int
        let eurCentsCharged: Int
        let createdAt: String
        let asyncJobID: String?

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case id, endpoint, units
            case creditsCharged = "credits_charged"
            case eurCentsCharged = "eur_cents_charged"
            case createdAt = "created_at"
            case asyncJobID = "async_job_id"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            id = try container.decodeBounded(forKey: .id)
            endpoint = try container.decodeIfPresent(String.self, forKey: .endpoint)
            units = try container.decodeBounded(forKey: .units)
            creditsCharged = try container.decodeBounded(forKey: .creditsCharged)
            eurCentsCharged = try container.decodeBounded(forKey: .eurCentsCharged)
            createdAt = try container.decode(String.self, forKey: .createdAt)
            asyncJobID = try container.decodeIfPresent(String.self, forKey: .asyncJobID)
        }
    }

    /// `count` events with consecutive ids from `first_id`, aged `age_seconds` before
    /// the clock (ids grow with time, as auto-increment ids do); `endpoints` are choices
    /// in which `null` stands for an older row without one.
    struct Generator: Decodable, Sendable {
        let seed: UInt64
        let count: Int
        let firstID: Int
        let ageSeconds: IntRange
        let endpoints: [String?]
        let units: IntRange
        let creditsPerUnit: IntRange
        let eurCentsPerCredit: IntRange
        let asyncJobPercent: Int

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case seed, count
            case firstID = "first_id"
            case ageSeconds = "age_seconds"
            case endpoints, units
            case creditsPerUnit = "credits_per_unit"
            case eurCentsPerCredit = "eur_cents_per_credit"
            case asyncJobPercent = "async_job_percent"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            seed = try container.decode(UInt64.self, forKey: .seed)
            count = try container.decodeBounded(forKey: .count)
            firstID = try container.decodeBoundedIfPresent(forKey: .firstID) ?? 1
            ageSeconds = try container.decode(IntRange.self, forKey: .ageSeconds)
            endpoints = try container.decode([String?].self, forKey: .endpoints)
            units = try container.decode(IntRange.self, forKey: .units)
            creditsPerUnit = try container.decode(IntRange.self, forKey: .creditsPerUnit)
            eurCentsPerCredit = try container.decode(IntRange.self, forKey: .eurCentsPerCredit)
            asyncJobPercent = try container.decodeBoundedIfPresent(forKey: .asyncJobPercent) ?? 50
        }

        /// Refuses ranges whose products or ids would leave `ScenarioBounds.integers`.
        func checkTotals(at path: JSONPath) throws(ScenarioError) {
            let limit = ScenarioBounds.integers.upperBound
            let (credits, creditsOverflow) = units.max.multipliedReportingOverflow(by: creditsPerUnit.max)
            guard !creditsOverflow, credits <= limit else {
                throw path.error("units.max × credits_per_unit.max must stay within \(limit)")
            }
            let (cents, centsOverflow) = credits.multipliedReportingOverflow(by: eurCentsPerCredit.max)
            guard !centsOverflow, cents <= limit else {
                throw path.error("units.max × credits_per_unit.max × eur_cents_per_credit.max must stay within \(limit)")
            }
            guard count == 0 || firstID <= limit - (count - 1) else {
                throw path["first_id"].error("first_id + count - 1 must stay within \(limit)")
            }
        }

        func events(clockSeconds: Int) -> [SybilionProvider.EventRow] {
            var random = SeededGenerator(seed: seed)
            // Oldest first; sorted ascending and read backwards, which is cheaper than `>`.
            let ages = (0..<count).map { _ in ageSeconds.random(using: &random) }.sorted().reversed()
            return ages.enumerated().map { offset, age in
                let units = units.random(using: &random)
                let credits = units * creditsPerUnit.random(using: &random)
                let asyncJob = Int.random(in: 0..<100, using: &random) < asyncJobPercent
                return SybilionProvider.EventRow(
                    id: firstID + offset,
                    endpoint: random.choice(endpoints),
                    units: units,
                    creditsCharged: credits,
                    eurCentsCharged: credits * eurCentsPerCredit.random(using: &random),
                    createdAt: clockSeconds - age,
                    asyncJobID: asyncJob ? Self.uuid(using: &random) : nil
                )
            }
        }

        /// A version 4 UUID in lowercase, from the seeded sequence.
        /// Written into the string's storage, with no array per id.
        static func uuid(using random: inout SeededGenerator) -> String {
            let high = random.next()
            let low = random.next()
            let bits = (high & 0xFFFF_FFFF_FFFF_0FFF | 0x4000, low & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000)
            return String(unsafeUninitializedCapacity: 36) { text in
                var at = 0
                for index in 0..<32 {
                    if index == 8 || index == 12 || index == 16 || index == 20 {
                        text[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    let word = index < 16 ? bits.0 : bits.1
                    let digit = UInt8(truncatingIfNeeded: word >> UInt64(60 - (index % 16) * 4) & 0xF)
                    text[at] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                    at += 1
                }
                return at
            }
        }
    }

    func load(in context: inout ScenarioContext, at path: JSONPath) throws(ScenarioError) -> any ServedProvider {
        var served: [(keys: [String], account: SybilionProvider.Account)] = []
        for (index, account) in accounts.enumerated() {
            let accountPath = path["accounts"][index]
            try context.claim(keys: account.keys, at: accountPath["keys"])
            let events = try validatedEvents(of: account, context: context, at: accountPath)
            served.append(
                (account.keys, SybilionProvider.Account(events: events + (try Self.numbering(account.addedEvents, after: events)))))
        }
        return SybilionProvider(directory: AccountDirectory(served))
    }

    private func validatedEvents(of account: Account, context: ScenarioContext, at path: JSONPath) throws(ScenarioError)
        -> [SybilionProvider.EventRow]
    {
        var ids: [Int: JSONPath] = [:]
        var generatedIDs: [(ids: ClosedRange<Int>, path: JSONPath)] = []
        var events: [SybilionProvider.EventRow] = []
        for (index, event) in account.events.enumerated() {
            let eventPath = path["events"][index]
            guard let createdAt = UTCTime.parseTimestamp(event.createdAt) else {
                throw eventPath["created_at"].error("must be a UTC timestamp from 1970 on, like 2026-04-30T10:05:42Z")
            }
            if let job = event.asyncJobID, !Self.isLowercaseUUID(job) {
                throw eventPath["async_job_id"].error("must be a lowercase UUID or null")
            }
            for (field, value) in [
                ("units", event.units), ("credits_charged", event.creditsCharged), ("eur_cents_charged", event.eurCentsCharged),
            ] where value < 0 {
                throw eventPath[field].error("must not be negative")
            }
            if let first = ids[event.id] { throw eventPath["id"].error("duplicate id \(event.id) (first at \(first))") }
            ids[event.id] = eventPath
            events.append(
                SybilionProvider.EventRow(
                    id: event.id, endpoint: event.endpoint, units: event.units, creditsCharged: event.creditsCharged,
                    eurCentsCharged: event.eurCentsCharged, createdAt: createdAt, asyncJobID: event.asyncJobID))
        }
        for (index, generator) in account.generators.enumerated() {
            let generatorPath = path["generators"][index]
            guard (0...10_000_000).contains(generator.count) else { throw generatorPath["count"].error("must be between 0 and 10000000") }
            try context.checkAges(generator.ageSeconds, at: generatorPath["age_seconds"])
            guard !generator.endpoints.isEmpty else { throw generatorPath["endpoints"].error("must not be empty") }
            guard generator.units.min >= 0, generator.creditsPerUnit.min >= 0, generator.eurCentsPerCredit.min >= 0 else {
                throw generatorPath.error("units, credits_per_unit and eur_cents_per_credit must not be negative")
            }
            guard (0...100).contains(generator.asyncJobPercent) else {
                throw generatorPath["async_job_percent"].error("must be between 0 and 100")
            }
            try generator.checkTotals(at: generatorPath)
            guard generator.count > 0 else { continue }
            let generated = generator.firstID...(generator.firstID + generator.count - 1)
            if let (id, first) = Self.firstUsedID(in: generated, ids: ids, ranges: generatedIDs) {
                throw generatorPath.error("generates id \(id), already used at \(first)")
            }
            generatedIDs.append((generated, generatorPath))
            events.append(contentsOf: generator.events(clockSeconds: context.generatorClockSeconds))
        }
        return events
    }

    /// The lowest id of `range` that an event or an earlier generator already has, and
    /// where. Generated ids are consecutive, so they are checked as ranges: a million
    /// of them in a dictionary were most of loading a million events.
    private static func firstUsedID(in range: ClosedRange<Int>, ids: [Int: JSONPath], ranges: [(ids: ClosedRange<Int>, path: JSONPath)])
        -> (Int, JSONPath)?
    {
        var first: (Int, JSONPath)?
        for (id, path) in ids where range.contains(id) && id < first?.0 ?? .max { first = (id, path) }
        for (earlier, path) in ranges where earlier.overlaps(range) {
            let id = max(earlier.lowerBound, range.lowerBound)
            if id < first?.0 ?? .max { first = (id, path) }
        }
        return first
    }

    static func isLowercaseUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        return bytes.enumerated().allSatisfy { index, byte in
            [8, 13, 18, 23].contains(index)
                ? byte == UInt8(ascii: "-")
                : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
        }
    }
}
