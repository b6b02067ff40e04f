/// `POST /__admin/usage/sybilion`: events added to the account of `key`, numbered on
/// from its highest id.
///
/// `{"key":"sk_ops_test","events":[{"endpoint":"forecast","units":3,"credits_charged":6,"eur_cents_charged":12}]}`;
/// an event may also give `created_at` (default: the clock) and `async_job_id` (a
/// lowercase UUID; default null). `endpoint` may be null or left out.
extension SybilionSection {
    private struct UsageBody: Decodable {
        let key: String
        let events: [NewEvent]

        private enum CodingKeys: String, CodingKey, CaseIterable { case key, events }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            key = try container.decode(String.self, forKey: .key)
            events = try container.decode([NewEvent].self, forKey: .events)
        }
    }

    private struct NewEvent: Decodable {
        let endpoint: String?
        let units: Int
        let creditsCharged: Int
        let eurCentsCharged: Int
        let createdAt: String?
        let asyncJobID: String?

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case endpoint, units
            case creditsCharged = "credits_charged"
            case eurCentsCharged = "eur_cents_charged"
            case createdAt = "created_at"
            case asyncJobID = "async_job_id"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            endpoint = try container.decodeIfPresent(String.self, forKey: .endpoint)
            units = try container.decode(Int.self, forKey: .units)
            creditsCharged = try container.decode(Int.self, forKey: .creditsCharged)
            eurCentsCharged = try container.decode(Int.self, forKey: .eurCentsCharged)
            createdAt = try container.decodeIfPresent(String.self, forKey: .createdAt)
            asyncJobID = try container.decodeIfPresent(String.self, forKey: .asyncJobID)
        }
    }

    /// Per field, so totals summed over many events stay far from overflowing.
    static let maxAddedAmount = 1_000_000_000_000

    func addingUsage(_ json: [UInt8], clockSeconds: Int) throws(ScenarioError) -> SybilionSection {
        let body = try ScenarioLoader.decode(UsageBody.self, from: json)
        let index = try accountIndex(withKey: body.key, in: accounts.map(\.keys), provider: "sybilion")
        guard !body.events.isEmpty else { throw JSONPath.root["events"].error("must not be empty") }
        var section = self
        for (position, event) in body.events.enumerated() {
            let path = JSONPath.root["events"][position]
            for (field, value) in [
                ("units", event.units), ("credits_charged", event.creditsCharged), ("eur_cents_charged", event.eurCentsCharged),
            ]
            where !(0...Self.maxAddedAmount).contains(value) {
                throw path[field].error("must be between 0 and \(Self.maxAddedAmount)")
            }
            var createdAt = clockSeconds
            if let text = event.createdAt {
                guard let parsed = UTCTime.parseTimestamp(text) else {
                    throw path["created_at"].error("must be a UTC timestamp like 2026-04-30T10:05:42Z")
                }
                createdAt = parsed
            }
            if let job = event.asyncJobID, !Self.isLowercaseUUID(job) {
                throw path["async_job_id"].error("must be a lowercase UUID or null")
            }
            section.accounts[index].addedEvents.append(
                SybilionProvider.EventRow(
                    id: 0, endpoint: event.endpoint, units: event.units, creditsCharged: event.creditsCharged,
                    eurCentsCharged: event.eurCentsCharged, createdAt: createdAt, asyncJobID: event.asyncJobID))
        }
        return section
    }

    /// Added events with ids counting on from the highest id of `events`.
    static func numbering(_ added: [SybilionProvider.EventRow], after events: [SybilionProvider.EventRow]) throws(ScenarioError)
        -> [SybilionProvider.EventRow]
    {
        guard !added.isEmpty else { return [] }
        let highest = events.lazy.map(\.id).max() ?? 0
        // Ids are within ±2^53 − 1 and the count is small, so the sum cannot overflow.
        _ = try ScenarioBounds.integer(highest + added.count, at: JSONPath.root["events"], "the id of the last event")
        return added.enumerated().map { offset, event in
            SybilionProvider.EventRow(
                id: highest + offset + 1, endpoint: event.endpoint, units: event.units, creditsCharged: event.creditsCharged,
                eurCentsCharged: event.eurCentsCharged, createdAt: event.createdAt, asyncJobID: event.asyncJobID)
        }
    }
}
