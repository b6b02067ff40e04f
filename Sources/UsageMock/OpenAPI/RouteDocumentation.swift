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

    init(
        summary: String, pathParameters: [(name: String, description: String)] = [], queryParameters: [QueryParameter] = [],
        requestBody: JSONSchema? = nil, responses: [ResponseDocumentation]
    ) {
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

/// An integer field of a JSON request body, as a handler reads it and the document
/// describes it, so the two cannot disagree.
struct BodyInteger: Sendable {
    let name: String
    let range: ClosedRange<Int>
    let defaultValue: Int

    var schema: JSONSchema { .integer(minimum: range.lowerBound, maximum: range.upperBound, default: defaultValue) }
}

/// A query parameter as a handler reads it and the document describes it: an integer
/// in a range, one of a list of choices, or any string. (Optionals rather than an enum
/// with payloads, for the reason `JSONSchema` gives.)
struct QueryParameter: Sendable {
    let name: String
    let description: String
    let schema: JSONSchema
    private let range: ClosedRange<Int>?
    private let defaultInteger: Int?
    private let choices: [String]?
    private let defaultChoice: String?

    static func integer(_ name: String, in range: ClosedRange<Int>, default value: Int, _ description: String) -> QueryParameter {
        QueryParameter(
            name: name, description: description,
            schema: .integer(minimum: range.lowerBound, maximum: range.upperBound),
            range: range, defaultInteger: value, choices: nil, defaultChoice: nil)
    }

    static func choice(_ name: String, _ choices: [String], default value: String, _ description: String) -> QueryParameter {
        QueryParameter(
            name: name, description: description, schema: .string(choices: choices),
            range: nil, defaultInteger: nil, choices: choices, defaultChoice: value)
    }

    static func string(_ name: String, _ description: String) -> QueryParameter {
        QueryParameter(
            name: name, description: description, schema: .string, range: nil, defaultInteger: nil, choices: nil, defaultChoice: nil)
    }

    /// The value given (within the range), or the default when absent.
    func integer(in query: QueryParameters) throws(ParameterError) -> Int {
        guard let range, let defaultInteger else { preconditionFailure("\(name) is not an integer parameter") }
        return try query.integer(name, in: range, default: defaultInteger)
    }

    /// The value given (one of the choices), or the default when absent.
    func choice(in query: QueryParameters) throws(ParameterError) -> String {
        guard let choices, let defaultChoice else { preconditionFailure("\(name) is not a choice parameter") }
        return try query.choice(name, in: choices, default: defaultChoice)
    }
}

extension QueryParameters {
    func integer(_ parameter: QueryParameter) throws(ParameterError) -> Int { try parameter.integer(in: self) }
    func choice(_ parameter: QueryParameter) throws(ParameterError) -> String { try parameter.choice(in: self) }
}

/// Responses every provider's document shares: the mock's own error shape, which
/// answers what comes before any provider sees the request.
enum MockErrorDocumentation {
    static let schema = JSONSchema.object([("error", .string), ("message", .string)])
    static let badPath = ResponseDocumentation(400, "The request path does not percent-decode (the mock's own shape)", schema)
    static let tooLarge = ResponseDocumentation(413, "The request body is larger than the mock accepts (the mock's own shape)", schema)
}
