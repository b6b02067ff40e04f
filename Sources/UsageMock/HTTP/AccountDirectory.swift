/// A provider's accounts by API key: that provider's 401 check (docs/behaviour.md, common rule 2).
///
/// Accounts are classes: a request takes one reference to its account, where a copy of
/// a struct took one to each of its arrays, shared by every worker.
struct AccountDirectory<Account: AnyObject & Sendable>: Sendable {
    let accounts: [Account]
    /// Every account's keys, in scenario order.
    let keys: [String]
    /// The keys of each account, in the order of `accounts`.
    private let keysByAccount: [[String]]
    private let accountIndexByKey: [String: Int]

    init(_ accounts: [(keys: [String], account: Account)]) {
        self.accounts = accounts.map(\.account)
        keys = accounts.flatMap(\.keys)
        keysByAccount = accounts.map(\.keys)
        var byKey: [String: Int] = [:]
        for (index, entry) in accounts.enumerated() {
            for key in entry.keys { byKey[key] = index }
        }
        accountIndexByKey = byKey
    }

    /// Each account with its keys, described by `counts` (and, for Klaim, `userIDs`).
    func summaries(
        _ counts: (Account) -> [(kind: String, count: Int)],
        userIDs: (Account) -> [String] = { _ in [] }
    ) -> [AccountSummary] {
        zip(keysByAccount, accounts).map { AccountSummary(keys: $0, counts: counts($1), userIDs: userIDs($1)) }
    }

    /// The account whose key the request bears, or nil (missing header, other scheme,
    /// not exactly one token, or a key of no account of this provider).
    func account(for request: MockRequest) -> Account? {
        guard let token = bearerToken(in: request.headers), let index = accountIndexByKey[token] else { return nil }
        return accounts[index]
    }
}
