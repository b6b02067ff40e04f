import HTTPServerCore
import HTTPTypes

extension ServerResponse {
    /// The same response with `X-Usagemock-Reason` saying why; the body stays as it is.
    func explained(_ reason: String) -> ServerResponse {
        var response = self
        response.head.headerFields[MockHeaders.reason] = reason
        return response
    }

    /// Adds `warnings` to `X-Usagemock-Warning` (after any already there).
    mutating func warn(_ warnings: [String]) {
        guard !warnings.isEmpty else { return }
        let previous = head.headerFields[MockHeaders.warning].map { [$0] } ?? []
        head.headerFields[MockHeaders.warning] = (previous + warnings).joined(separator: "; ")
    }
}

extension HTTPFields {
    /// The first value of the field `name`. HTTPTypes' subscript joins every value into
    /// a new String; the mock sets its own fields once, and reads them on every request.
    func firstValue(of name: HTTPField.Name) -> String? {
        first { $0.name == name }?.value
    }
}

extension ParameterError {
    /// `invalid parameter limit: limit must be …`, for `X-Usagemock-Reason`.
    var reason: String { "invalid parameter \(name): \(message)" }
}

/// The mock's reasons for answers a provider route gave, worked out after the answer
/// so that the common, successful request pays nothing for them.
enum ResponseReasons {
    /// Why a provider answered 401, as its `X-Usagemock-Reason` field, naming the check
    /// that failed and never the key: the cases of common rule 2 (docs/behaviour.md), and
    /// whose key it was when another provider's (`keyOwners`, made by `keyOwners(of:)`).
    /// Every reason is made once: the same array each time is what lets a prepared 401
    /// find its kept addition at once (`PreparedResponse.adding`), with nothing allocated.
    static func unauthorized(_ headers: RequestHeaders, keyOwners: [String: [HTTPField]]) -> [HTTPField] {
        switch BearerCredential(headers) {
        case .missing: Unauthorized.missing
        case .repeated: Unauthorized.repeated
        case .otherScheme: Unauthorized.otherScheme
        case .notOneToken: Unauthorized.notOneToken
        case .token(let token): keyOwners[token] ?? Unauthorized.unknownKey
        }
    }

    /// Each API key of `providers` with the 401 reason that names its provider, made once
    /// per scenario served: a 401 then looks its key up once instead of in every provider.
    /// A scenario refuses a key used twice (`ScenarioContext.claim`), so each has one owner.
    static func keyOwners(of providers: [any ServedProvider]) -> [String: [HTTPField]] {
        var owners: [String: [HTTPField]] = [:]
        for provider in providers {
            let reason = reasonField("auth: key of provider \(provider.name)")
            for key in provider.keys { owners[key] = reason }
        }
        return owners
    }

    private enum Unauthorized {
        static let missing = reasonField("auth: no Authorization header")
        static let repeated = reasonField("auth: more than one Authorization header")
        static let otherScheme = reasonField("auth: not a Bearer token")
        static let notOneToken = reasonField("auth: not exactly one token after Bearer")
        static let unknownKey = reasonField("auth: unknown key")
    }

    private static func reasonField(_ reason: String) -> [HTTPField] {
        [HTTPField(name: MockHeaders.reason, value: reason)]
    }

    /// Query parameters the route does not read: the real API ignores them, and so does
    /// the mock, but names them. A Klaim body field sent in the query is named as such.
    static func ignoredQueryParameters(_ query: QueryParameters, route: Route) -> [String] {
        guard !query.pairs.isEmpty, let documentation = route.documentation else { return [] }
        // A route reads a handful of names: searched in place, so a request that sends
        // only those makes no set.
        var named: Set<String> = []
        var warnings: [String] = []
        for pair in query.pairs
        where !documentation.queryParameters.contains(where: { $0.name == pair.name }) && named.insert(pair.name).inserted {
            warnings.append(
                documentation.requestBody?.propertyNames.contains(pair.name) == true
                    ? "query parameter \(pair.name) ignored: this route reads \(pair.name) from the JSON body"
                    : "unknown query parameter \(pair.name) ignored")
        }
        return warnings
    }
}
