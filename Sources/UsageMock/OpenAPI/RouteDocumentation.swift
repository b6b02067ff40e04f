/// What a route accepts and answers, beside its handler: the OpenAPI documents are
/// built from it, and the handlers read their query parameters through the same
/// `QueryParameter` values, so ranges and defaults are written once.
public struct RouteDocumentation: Sendable {
    let summary: String
    let pathParameters: [(name: String, description: String)]
    let queryParameters: [QueryParameter]
    /// An optional JSON body, as Klaim's.
    let requestBody: JSONSchema?
    let responses: [ResponseDocumentation]

    init(summary: String, pathParameters: [(name: String, description: String)] = [], queryParameters: [QueryParameter] = [],
         requestBody: JSONSchema? = nil, responses: [ResponseDocumentation]) {
        self.summary = summary
        self.pathParameters = pathParameters
        self.queryParameters = queryParameters
        self.requestBody = requestBody
        self.responses = responses
    }
}

/// One status a route may answer, its JSON body and headers.
struct ResponseDocumentation: Sendable {
    let status: Int
    let description: String
    let schema: JSONSchema
    let headers: [(name: String, schema: JSONSchema)]

    init(_ status: Int, _ description: String, _ schema: JSONSchema, headers: [(name: String, schema: JSONSchema)] = []) {
        self.status = status
        self.description = description
        self.schema = schema
        self.headers = headers
    }

    /// The same response with a header added.
    func with(header name: String, _ schema: JSONSchema) -> ResponseDocumentation {
        ResponseDocumentation(status, description, self.schema, headers: headers + [(name, schema)])
    }
}

/// A query parameter as a handler reads it and the document describes it.
struct QueryParameter: Sendable {
    enum Kind: Sendable {
        case integer(ClosedRange<Int>, default: Int)
        case choice([String], default: String)
        case string
    }

    let name: String
    let description: String
    let kind: Kind

    static func integer(_ name: String, in range: ClosedRange<Int>, default value: Int, _ description: String) -> QueryParameter {
        QueryParameter(name: name, description: description, kind: .integer(range, default: value))
    }

    static func choice(_ name: String, _ choices: [String], default value: String, _ description: String) -> QueryParameter {
        QueryParameter(name: name, description: description, kind: .choice(choices, default: value))
    }

    static func string(_ name: String, _ description: String) -> QueryParameter {
        QueryParameter(name: name, description: description, kind: .string)
    }

    var schema: JSONSchema {
        switch kind {
        case .integer(let range, _): .integer(minimum: range.lowerBound, maximum: range.upperBound == Int.max ? nil : range.upperBound)
        case .choice(let choices, _): .string(choices: choices)
        case .string: .string
        }
    }
}

extension QueryParameters {
    /// The value of an integer parameter (its default when absent).
    func integer(_ parameter: QueryParameter) throws(ParameterError) -> Int {
        guard case .integer(let range, let value) = parameter.kind else { preconditionFailure("\(parameter.name) is not an integer parameter") }
        return try integer(parameter.name, in: range, default: value)
    }

    /// The value of a choice parameter (its default when absent).
    func choice(_ parameter: QueryParameter) throws(ParameterError) -> String {
        guard case .choice(let choices, let value) = parameter.kind else { preconditionFailure("\(parameter.name) is not a choice parameter") }
        return try choice(parameter.name, in: choices, default: value)
    }
}

/// Responses every provider's document shares: the mock's own error shape, which
/// answers what comes before any provider sees the request.
enum MockErrorDocumentation {
    static let schema = JSONSchema.object([("error", .string), ("message", .string)])
    static let badPath = ResponseDocumentation(400, "The request path does not percent-decode (the mock's own shape)", schema)
    static let tooLarge = ResponseDocumentation(413, "The request body is larger than the mock accepts (the mock's own shape)", schema)
}
