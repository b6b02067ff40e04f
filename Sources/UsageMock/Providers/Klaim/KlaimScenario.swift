/// Klaim's section of a scenario: accounts (an app id and keys) with users, each with
/// credit-usage records written out or generated.
struct KlaimSection: ProviderSection {
    static let providerKey = "klaim"

    var accounts: [Account]

    struct Account: Decodable, Sendable {
        let keys: [String]
        let appID: String
        let users: [User]
        let userGenerators: [UserGenerator]
        /// Records added at runtime (`POST /__admin/usage/klaim`), by user id.
        var addedRecords: [String: [AddedRecord]] = [:]

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case name, keys
            case appID = "app_id"
            case users
            case userGenerators = "user_generators"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            keys = try container.decode([String].self, forKey: .keys)
            appID = try container.decode(String.self, forKey: .appID)
            users = try container.decodeIfPresent([User].self, forKey: .users) ?? []
            userGenerators = try container.decodeIfPresent([UserGenerator].self, forKey: .userGenerators) ?? []
        }
    }

    /// A user with records written out or one generator (not both, so the balance
    /// chain has one start). `opening_balance`, when given, is the balance before the
    /// first record.
    struct User: Decodable, Sendable {
        let userID: String
        let openingBalance: Int?
        let records: [Record]
        let generator: RecordGenerator?

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case userID = "user_id"
            case openingBalance = "opening_balance"
            case records, generator
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            userID = try container.decode(String.self, forKey: .userID)
            openingBalance = try container.decodeBoundedIfPresent(forKey: .openingBalance)
            records = try container.decodeIfPresent([Record].self, forKey: .records) ?? []
            generator = try container.decodeIfPresent(RecordGenerator.self, forKey: .generator)
        }
    }

    /// One record as the API returns it, plus its `type_id` (derived from `created_at`
    /// when left out).
    struct Record: Decodable, Sendable {
        let createdAt: Int
        let creditChange: Int
        let creditBalance: Int
        let sourceType: String
        let description: String
        let typeID: String?

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case createdAt = "created_at"
            case creditChange = "credit_change"
            case creditBalance = "credit_balance"
            case sourceType = "source_type"
            case description
            case typeID = "type_id"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            createdAt = try container.decodeBounded(forKey: .createdAt)
            creditChange = try container.decodeBounded(forKey: .creditChange)
            creditBalance = try container.decodeBounded(forKey: .creditBalance)
            sourceType = try container.decode(String.self, forKey: .sourceType)
            description = try container.decode(String.self, forKey: .description)
            typeID = try container.decodeIfPresent(String.self, forKey: .typeID)
        }
    }

    /// `count` records aged `age_seconds` before the clock, balances running from
    /// `opening_balance`.
    struct RecordGenerator: Decodable, Sendable {
        let seed: UInt64
        let count: Int
        let openingBalance: Int
        let ageSeconds: IntRange
        let creditChange: IntRange
        let sourceTypes: [String]
        let descriptions: [String]

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case seed, count
            case openingBalance = "opening_balance"
            case ageSeconds = "age_seconds"
            case creditChange = "credit_change"
            case sourceTypes = "source_types"
            case descriptions
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            seed = try container.decode(UInt64.self, forKey: .seed)
            count = try container.decodeBounded(forKey: .count)
            openingBalance = try container.decodeBoundedIfPresent(forKey: .openingBalance) ?? 0
            ageSeconds = try container.decode(IntRange.self, forKey: .ageSeconds)
            creditChange = try container.decode(IntRange.self, forKey: .creditChange)
            sourceTypes = try container.decode([String].self, forKey: .sourceTypes)
            descriptions = try container.decode([String].self, forKey: .descriptions)
        }

        func validate(in context: ScenarioContext, at path: JSONPath) throws(ScenarioError) {
            guard (0...10_000_000).contains(count) else { throw path["count"].error("must be between 0 and 10000000") }
            try context.checkAges(ageSeconds, at: path["age_seconds"])
            let largestChange = Swift.max(creditChange.min.magnitude, creditChange.max.magnitude)
            let (drift, overflow) = UInt(count).multipliedReportingOverflow(by: largestChange)
            guard !overflow, drift <= ScenarioBounds.integers.upperBound.magnitude - openingBalance.magnitude else {
                throw path.error(
                    "a running balance could leave ±\(ScenarioBounds.integers.upperBound): |opening_balance| + count × the largest |credit_change| must stay within it"
                )
            }
            guard !sourceTypes.isEmpty else { throw path["source_types"].error("must not be empty") }
            guard !descriptions.isEmpty else { throw path["descriptions"].error("must not be empty") }
        }

        /// Records in time order with their balances and unique type ids; `stream`
        /// gives each generated user its own sequence from the one seed.
        func records(userID: String, clockMillis: Int, stream: UInt64 = 0) -> [KlaimProvider.RecordRow] {
            var random = SeededGenerator(seed: seed &+ stream &* 0x2545_F491_4F6C_DD1D)
            let times = (0..<count).map { _ in
                clockMillis - Int.random(in: (ageSeconds.min * 1000)...(ageSeconds.max * 1000 + 999), using: &random)
            }.sorted()
            var balance = openingBalance
            // Two type ids can only meet within one second (their prefix), and the times
            // are sorted: the ids of the current second are all a new one is checked
            // against, not a set of every id.
            var second = ""
            var idsThisSecond: [String] = []
            return times.map { createdAt in
                let change = creditChange.random(using: &random)
                balance += change
                let prefix = KlaimProvider.RecordRow.typeIDPrefix(createdAt)
                if prefix != second {
                    second = prefix
                    idsThisSecond.removeAll(keepingCapacity: true)
                }
                var typeID: String
                repeat { typeID = prefix + random.alphanumerics(5) } while idsThisSecond.contains(typeID)
                idsThisSecond.append(typeID)
                return KlaimProvider.RecordRow(
                    userID: userID, createdAt: createdAt, creditChange: change, creditBalance: balance,
                    sourceType: random.choice(sourceTypes), description: random.choice(descriptions), typeID: typeID)
            }
        }
    }

    /// `count` users named `user_id_prefix` + a 4-digit or longer number, each with
    /// `records` generated from this seed and the user's number.
    struct UserGenerator: Decodable, Sendable {
        let count: Int
        let userIDPrefix: String
        let records: RecordGenerator

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case count
            case userIDPrefix = "user_id_prefix"
            case records
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
            count = try container.decodeBounded(forKey: .count)
            userIDPrefix = try container.decode(String.self, forKey: .userIDPrefix)
            records = try container.decode(RecordGenerator.self, forKey: .records)
        }
    }

    func load(in context: inout ScenarioContext, at path: JSONPath) throws(ScenarioError) -> any ServedProvider {
        let clockMillis = context.generatorClockSeconds * 1000
        var served: [(keys: [String], account: KlaimProvider.Account)] = []
        for (accountIndex, account) in accounts.enumerated() {
            let accountPath = path["accounts"][accountIndex]
            try context.claim(keys: account.keys, at: accountPath["keys"])
            guard !account.appID.isEmpty else { throw accountPath["app_id"].error("must not be empty") }
            var users: [String: KlaimProvider.User] = [:]
            var userPaths: [String: JSONPath] = [:]
            func add(_ userID: String, _ records: [KlaimProvider.RecordRow], openingBalance: Int, at userPath: JSONPath)
                throws(ScenarioError)
            {
                guard !userID.isEmpty else { throw userPath.error("user_id must not be empty") }
                if let first = userPaths[userID] { throw userPath.error("user \"\(userID)\" appears twice (first at \(first))") }
                userPaths[userID] = userPath
                let added = try Self.chaining(
                    account.addedRecords[userID] ?? [], after: records, openingBalance: openingBalance, userID: userID)
                // Joined only when records were added: copying a thousand rows per user was
                // most of what the join cost.
                users[userID] = KlaimProvider.User(
                    records: added.isEmpty ? records : records + added, prefixAppID: "_credit-usage_" + account.appID)
            }
            for (index, user) in account.users.enumerated() {
                let userPath = accountPath["users"][index]
                try add(
                    user.userID, try Self.records(of: user, context: context, at: userPath), openingBalance: user.openingBalance ?? 0,
                    at: userPath)
            }
            for (index, generator) in account.userGenerators.enumerated() {
                let generatorPath = accountPath["user_generators"][index]
                guard (0...1_000_000).contains(generator.count) else { throw generatorPath["count"].error("must be between 0 and 1000000") }
                try generator.records.validate(in: context, at: generatorPath["records"])
                for number in 0..<generator.count {
                    let userID = generator.userIDPrefix + String(number).leftPadded(to: 4)
                    let records = generator.records.records(userID: userID, clockMillis: clockMillis, stream: UInt64(number))
                    try add(userID, records, openingBalance: generator.records.openingBalance, at: generatorPath)
                }
            }
            if let unknown = account.addedRecords.keys.first(where: { users[$0] == nil }) {
                throw accountPath.error("records were added for \"\(unknown)\", which is not a user of this account")
            }
            served.append((account.keys, KlaimProvider.Account(users: users)))
        }
        return KlaimProvider(directory: AccountDirectory(served))
    }

    /// A user's records in time order, the balance chain checked (docs/behaviour.md, Klaim).
    private static func records(of user: User, context: ScenarioContext, at path: JSONPath) throws(ScenarioError) -> [KlaimProvider
        .RecordRow]
    {
        if let generator = user.generator {
            guard user.records.isEmpty else { throw path["generator"].error("a user has records or a generator, not both") }
            try generator.validate(in: context, at: path["generator"])
            return generator.records(userID: user.userID, clockMillis: context.generatorClockSeconds * 1000)
        }
        var rows: [(index: Int, row: KlaimProvider.RecordRow)] = []
        var typeIDs: [String: Int] = [:]
        for (index, record) in user.records.enumerated() {
            let recordPath = path["records"][index]
            guard (ScenarioBounds.seconds.lowerBound * 1000...ScenarioBounds.seconds.upperBound * 1000 + 999).contains(record.createdAt)
            else {
                throw recordPath["created_at"].error("must be Unix milliseconds from 1970 through 9999")
            }
            let typeID = record.typeID ?? KlaimProvider.RecordRow.typeIDPrefix(record.createdAt) + derivedSuffix(user.userID, index)
            guard KlaimProvider.RecordRow.isValidTypeID(typeID) else {
                throw recordPath["type_id"].error("must be YYYYMMDDHHMMSS_ followed by 5 lowercase letters or digits")
            }
            if let first = typeIDs[typeID] { throw recordPath["type_id"].error("duplicate type_id \"\(typeID)\" (also records[\(first)])") }
            typeIDs[typeID] = index
            rows.append(
                (
                    index,
                    KlaimProvider.RecordRow(
                        userID: user.userID, createdAt: record.createdAt, creditChange: record.creditChange,
                        creditBalance: record.creditBalance, sourceType: record.sourceType,
                        description: record.description, typeID: typeID)
                ))
        }
        rows.sort { ($0.row.createdAt, $0.row.typeID) < ($1.row.createdAt, $1.row.typeID) }
        var previous = user.openingBalance
        for (index, row) in rows {
            if let previous, previous + row.creditChange != row.creditBalance {
                throw path["records"][index]["credit_balance"].error(
                    "balance chain does not add up: expected \(previous + row.creditChange) (previous balance \(previous) + credit_change \(row.creditChange))"
                )
            }
            previous = row.creditBalance
        }
        return rows.map(\.row)
    }

    /// Five characters for a record's `type_id` that depend only on the user and the
    /// record's place in the file.
    static func derivedSuffix(_ userID: String, _ index: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in userID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var random = SeededGenerator(seed: hash &+ UInt64(index))
        return random.alphanumerics(5)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
