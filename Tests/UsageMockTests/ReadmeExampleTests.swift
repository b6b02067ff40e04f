import Foundation
import Testing

@testable import UsageMock

/// Answers the README and `docs/` quote, produced here and looked up in them, so that
/// an example cannot drift from the output again (issue 16 found two that had).
@Suite struct ReadmeExampleTests {
    /// The README and every page of `docs/`, end to end.
    let readme: String = {
        let docs = repositoryRoot.appendingPathComponent("docs")
        let pages = ((try? FileManager.default.contentsOfDirectory(atPath: docs.path)) ?? []).filter { $0.hasSuffix(".md") }.sorted()
        let files = [repositoryRoot.appendingPathComponent("README.md")] + pages.map { docs.appendingPathComponent($0) }
        return files.compactMap { try? String(contentsOf: $0, encoding: .utf8) }.joined(separator: "\n")
    }()

    @Test func refusedClockChange() {
        let response = send(
            .put, "/__admin/scenario", body: #"{"name":"x","clock":"soon","providers":{}}"#, to: application(ScenarioLoader.loadDefault()))
        #expect(response.status == 400)
        #expect(readme.contains("# 400 " + response.text), "\(response.text)")
    }

    @Test func invalidJSONAndFractionalInteger() throws {
        for json in [
            "{\n  \"name\": \"t\",\n  \"clock\": ,\n}", ScenarioTests.scenario(#""poe":{"accounts":[{"keys":["k"],"balance":1.5}]}"#),
        ] {
            do {
                _ = try loadScenario(json, file: "broken.json")
                Issue.record("accepted")
            } catch {
                #expect(readme.contains("\n\(error.description)\n"), "\(error.description)")
            }
        }
    }

    @Test func foreignOriginAndRebindingHost() {
        for headers in [["Origin": "https://evil.example"], ["Host": "rebind.example"]] {
            let response = send(.post, "/__admin/reset", headers: headers)
            #expect(readme.contains("# 403 " + response.text), "\(response.text)")
        }
    }
}
