/// `POST /__admin/usage/klaim`: records added to one user of the account of `key`,
/// the running balance continuing from the user's latest record.
///
/// `{"key":"klaim_test_key","user_id":"GtQ5Oezk6cOvSmPgxsMR","records":[{"credit_change":-5}]}`;
/// a record may also give `source_type` (default `api`), `description` (default
/// `used credit`) and `created_at` (Unix milliseconds; default: the clock).
extension KlaimSection {
    /// A record as added at runtime; its balance and `type_id` are worked out at load.
    struct AddedRecord: Sendable {
        let createdAt: Int
        /// Whether `created_at` was given; else it was the clock, and moves up to just
        /// after the user's latest record when that is later.
        let createdAtGiven: Bool
        let creditChange: Int
        let sourceType: String
        let description: String
    }

    private struct UsageBody: Decodable {
        let key: String
        let userID: String
        let records: [NewRecord]

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case key
            case userID = "user_id"
            case records
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            key = try container.decode(String.self, forKey: .key)
            userID = try container.decode(String.self, forKey: .userID)
            records = try container.decode([NewRecord].self, forKey: .records)
        }
    }

    private struct NewRecord: Decodable {
        let creditChange: Int
        let sourceType: String?
        let description: String?
        let createdAt: Int?

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case creditChange = "credit_change"
            case sourceType = "source_type"
            case description
            case createdAt = "created_at"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            creditChange = try container.decode(Int.self, forKey: .creditChange)
            sourceType = try container.decodeIfPresent(String.self, forKey: .sourceType)
            description = try container.decodeIfPresent(String.self, forKey: .description)
            createdAt = try container.decodeIfPresent(Int.self, forKey: .createdAt)
        }
    }

    /// Bounds that keep balances and dates far from overflowing: a change of at most a
    /// trillion credits, a time between years 1970 and 9999.
    static let maxCreditChange = 1_000_000_000_000
    static let createdAtRange = 0...253_402_300_799_999

    func addingUsage(_ json: [UInt8], clockSeconds: Int) throws(ScenarioError) -> KlaimSection {
        let body = try ScenarioLoader.decode(UsageBody.self, from: json)
        let index = try accountIndex(withKey: body.key, in: accounts.map(\.keys), provider: "klaim")
        guard !body.records.isEmpty else { throw JSONPath.root["records"].error("must not be empty") }
        var added: [AddedRecord] = []
        for (position, record) in body.records.enumerated() {
            let path = JSONPath.root["records"][position]
            guard abs(record.creditChange) <= Self.maxCreditChange else {
                throw path["credit_change"].error("must be between -\(Self.maxCreditChange) and \(Self.maxCreditChange)")
            }
            let createdAt = record.createdAt ?? clockSeconds * 1000
            guard Self.createdAtRange.contains(createdAt) else {
                throw path["created_at"].error("must be Unix milliseconds between 1970 and 9999")
            }
            added.append(
                AddedRecord(
                    createdAt: createdAt, createdAtGiven: record.createdAt != nil, creditChange: record.creditChange,
                    sourceType: record.sourceType ?? "api", description: record.description ?? "used credit"))
        }
        var section = self
        section.accounts[index].addedRecords[body.userID, default: []] += added
        return section
    }

    /// Added records after a user's own (oldest first), each balance the previous plus
    /// its change (the first, for a user with no records, the opening balance plus its
    /// change), each strictly later than the one before so the order is the chain's.
    static func chaining(_ added: [AddedRecord], after records: [KlaimProvider.RecordRow], openingBalance: Int, userID: String)
        throws(ScenarioError) -> [KlaimProvider.RecordRow]
    {
        var balance = records.last?.creditBalance ?? openingBalance
        var latest = records.last?.createdAt ?? Int.min
        var typeIDs = Set(records.map(\.typeID))
        var rows: [KlaimProvider.RecordRow] = []
        for (position, record) in added.enumerated() {
            let createdAt = record.createdAtGiven ? record.createdAt : max(record.createdAt, latest &+ 1)
            guard createdAt > latest else {
                throw JSONPath.root["records"].error("created_at \(createdAt) is not after user \"\(userID)\"'s latest record (\(latest))")
            }
            guard KlaimSection.createdAtRange.contains(createdAt) else {
                throw JSONPath.root["records"].error("created_at would be \(createdAt), after the year 9999")
            }
            // Both within ±2^53 − 1, so the sum cannot overflow.
            let newBalance = try ScenarioBounds.integer(
                balance + record.creditChange, at: JSONPath.root["records"], "the balance of user \"\(userID)\"")
            var typeID: String
            var attempt = records.count + position
            repeat {
                typeID = KlaimProvider.RecordRow.typeIDPrefix(createdAt) + derivedSuffix(userID, attempt)
                attempt += added.count
            } while !typeIDs.insert(typeID).inserted
            balance = newBalance
            latest = createdAt
            rows.append(
                KlaimProvider.RecordRow(
                    userID: userID, createdAt: createdAt, creditChange: record.creditChange,
                    creditBalance: balance, sourceType: record.sourceType, description: record.description, typeID: typeID))
        }
        return rows
    }
}
