/// Why a scenario was refused: the file, where in it (a JSON path such as
/// `$.providers.poe.accounts[0].keys[1]`, or a line and column for bad syntax) and why.
public struct ScenarioError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var location: String
    public var reason: String

    public init(file: String = "", location: String, reason: String) {
        self.file = file
        self.location = location
        self.reason = reason
    }

    public var description: String {
        file.isEmpty ? "\(location): \(reason)" : "\(file): \(location): \(reason)"
    }
}

/// A JSON path as the error messages print it.
struct JSONPath: Sendable, CustomStringConvertible {
    private(set) var description: String

    static let root = JSONPath(description: "$")

    init(description: String) {
        self.description = description
    }

    init(codingPath: [any CodingKey]) {
        var path = JSONPath.root
        for key in codingPath {
            path = key.intValue.map { path[$0] } ?? path[key.stringValue]
        }
        self = path
    }

    subscript(key: String) -> JSONPath { JSONPath(description: description + "." + key) }
    subscript(index: Int) -> JSONPath { JSONPath(description: description + "[\(index)]") }

    func error(_ reason: String) -> ScenarioError {
        ScenarioError(location: description, reason: reason)
    }
}

/// An API key as messages may show it: enough to recognise, not enough to use.
func maskedKey(_ key: String) -> String {
    key.count <= 6 ? String(repeating: "*", count: key.count) : key.prefix(4) + String(repeating: "*", count: key.count - 4)
}
