import Dispatch
import HTTPServerCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads, decodes and validates scenarios, all or nothing: a scenario with one error
/// is refused whole, with the file, the JSON path and the reason.
public enum ScenarioLoader {
    public static func load(contentsOf path: String) throws(ScenarioError) -> LoadedScenario {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScenarioError(file: path, location: "file", reason: "cannot read it (\(readFailureReason(path)))")
        }
        return try load(json: data, file: path)
    }

    public static func load(json: Data, file: String) throws(ScenarioError) -> LoadedScenario {
        do {
            return try build(try decode(ScenarioDocument.self, from: json))
        } catch {
            var located = error
            located.file = file
            throw located
        }
    }

    /// Whether the file is a JSON Schema (its `$schema` names json-schema.org's
    /// meta-schema), such as `Scenarios/scenario.schema.json`, which a glob over
    /// scenario files catches too. A scenario's own `$schema` names a file instead.
    public static func isJSONSchema(contentsOf path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path),
            case .object(let members) = try? StrictJSON.parse([UInt8](data)),
            case .string(let metaSchema) = members.first(where: { $0.key == "$schema" })?.value
        else { return false }
        return metaSchema.hasPrefix("https://json-schema.org/") || metaSchema.hasPrefix("http://json-schema.org/")
    }

    /// The scenario served when none is given: `Scenarios/default.json`, embedded.
    public static func loadDefault() -> LoadedScenario {
        do {
            return try load(json: Data(DefaultScenario.json), file: "(embedded default)")
        } catch {
            preconditionFailure("the embedded default scenario is invalid: \(error)")
        }
    }

    static func build(_ document: ScenarioDocument) throws(ScenarioError) -> LoadedScenario {
        let clockSeconds: Int
        if document.clock == "wall" {
            clockSeconds = Int(Date().timeIntervalSince1970)
        } else if let parsed = UTCTime.parseTimestamp(document.clock) {
            clockSeconds = parsed
        } else {
            throw JSONPath.root["clock"].error("expected a UTC timestamp from 1970 on, like 2026-11-21T12:00:00Z, or \"wall\"")
        }
        guard !document.name.isEmpty else { throw JSONPath.root["name"].error("must not be empty") }
        return try build(document, clockSeconds: clockSeconds, generatorClockSeconds: clockSeconds)
    }

    /// The scenario of `document` with "now" at `clockSeconds` and generated rows
    /// placed before `generatorClockSeconds`.
    static func build(_ document: ScenarioDocument, clockSeconds: Int, generatorClockSeconds: Int) throws(ScenarioError) -> LoadedScenario {
        // Sections load in parallel, each claiming its keys in a context of its own;
        // the claims are then merged in document order, so a key used by two providers
        // is reported where the sequential load would have: at its second use.
        let sections = document.sections
        let loaded = PThreadLocked([Result<(any ServedProvider, ScenarioContext), ScenarioError>?](repeating: nil, count: sections.count))
        DispatchQueue.concurrentPerform(iterations: sections.count) { index in
            let section = sections[index]
            var context = ScenarioContext(clockSeconds: clockSeconds, generatorClockSeconds: generatorClockSeconds)
            let result = Result { () throws(ScenarioError) in
                let provider = try section.load(in: &context, at: JSONPath.root["providers"][type(of: section).providerKey])
                return (provider, context)
            }
            loaded.withLock { $0[index] = result }
        }
        var keyOwners = ScenarioContext(clockSeconds: clockSeconds, generatorClockSeconds: generatorClockSeconds)
        var providers: [any ServedProvider] = []
        for result in loaded.withLock({ $0 }) {
            let (provider, context) = try result!.get()
            try keyOwners.merge(context)
            providers.append(provider)
        }
        var faults: [FaultRule] = []
        for (index, fault) in document.faults.enumerated() {
            faults.append(try fault.validated(against: providers, at: JSONPath.root["faults"][index]))
        }
        return LoadedScenario(
            name: document.name, clockSeconds: clockSeconds, generatorClockSeconds: generatorClockSeconds,
            providers: providers, faults: faults, document: document)
    }

    /// Decodes a JSON body into `T` with the scenario loader's strictness and messages
    /// (JSON path and reason, or line and column for bad syntax), for admin requests.
    static func decode<T: Decodable>(_ type: T.Type, from json: Data) throws(ScenarioError) -> T {
        try decode(type, from: [UInt8](json))
    }

    static func decode<T: Decodable>(_ type: T.Type, from json: [UInt8]) throws(ScenarioError) -> T {
        do {
            return try StrictJSONDecoder.decode(T.self, from: json)
        } catch let error as StrictJSON.SyntaxError {
            throw ScenarioError(location: error.location(in: json), reason: "invalid JSON: \(error.reason)")
        } catch let error as DecodingError {
            throw describe(error)
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw ScenarioError(location: "$", reason: "\(error)")
        }
    }

    static func describe(_ error: DecodingError) -> ScenarioError {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return JSONPath(codingPath: context.codingPath).error(sentence(context.debugDescription))
        case .keyNotFound(let key, let context):
            return JSONPath(codingPath: context.codingPath + [key]).error("required field is missing")
        @unknown default:
            return JSONPath.root.error("\(error)")
        }
    }

    private static func sentence(_ text: String) -> String {
        let trimmed = text.hasSuffix(".") ? String(text.dropLast()) : text
        return trimmed.prefix(1).lowercased() + trimmed.dropFirst()
    }

    private static func readFailureReason(_ path: String) -> String {
        guard FileManager.default.fileExists(atPath: path) else { return "no such file" }
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        return type == .typeDirectory ? "it is a directory" : "permission denied"
    }
}
