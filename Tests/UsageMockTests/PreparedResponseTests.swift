import HTTPServerCore
import HTTPTypes
import Testing

@Suite struct PreparedResponseTests {
    let prepared = PreparedResponse(
        head: HTTPResponse(status: .ok, headerFields: [.contentType: "application/json"]), body: Array("{}".utf8))

    @Test func aResponseChangedInAnyWayIsNoLongerThePreparedOne() {
        var unchanged = ServerResponse(prepared)
        unchanged.delay = .milliseconds(5)
        #expect(unchanged.prepared === prepared)

        var retitled = ServerResponse(prepared)
        retitled.head.headerFields[.cacheControl] = "no-store"
        #expect(retitled.prepared == nil)

        var restatused = ServerResponse(prepared)
        restatused.head.status = .accepted
        #expect(restatused.prepared == nil)

        var rewritten = ServerResponse(prepared)
        rewritten.body = Array("[]".utf8)
        #expect(rewritten.prepared == nil)
    }

    @Test func addingTheSameFieldsGivesTheSameResponseOtherFieldsANewOne() {
        let cors = [HTTPField(name: .accessControlAllowOrigin, value: "*")]
        let first = prepared.adding(cors, worker: 0)
        #expect(first.head.headerFields[.accessControlAllowOrigin] == "*")
        #expect(first.head.headerFields[.contentType] == "application/json")
        #expect(first.body == prepared.body)
        #expect(prepared.adding([HTTPField(name: .accessControlAllowOrigin, value: "*")], worker: 0) === first)

        let other = prepared.adding([HTTPField(name: .accessControlAllowOrigin, value: "https://example.com")], worker: 0)
        #expect(other !== first)
        #expect(other.head.headerFields[.accessControlAllowOrigin] == "https://example.com")
        #expect(prepared.head.headerFields[.accessControlAllowOrigin] == nil)
    }

    /// Each worker sends an addition of its own, so no two workers take references to
    /// one object on every request; the same worker gets the same one each time.
    @Test func eachWorkerKeepsAnAdditionOfItsOwn() {
        let cors = [HTTPField(name: .accessControlAllowOrigin, value: "*")]
        let first = prepared.adding(cors, worker: 0)
        let second = prepared.adding(cors, worker: 1)
        #expect(second !== first)
        #expect(second.head == first.head)
        #expect(second.body == first.body)
        #expect(prepared.adding(cors, worker: 1) === second)
        #expect(prepared.adding(cors, worker: ServerRequest.workerSlots) === first)
    }

    @Test func appendingToAPreparedResponseKeepsItPreparedAndAppendingToAnotherChangesItInPlace() {
        var response = ServerResponse(prepared)
        response.delay = .milliseconds(5)
        response.append(contentsOf: [HTTPField(name: .cacheControl, value: "no-store")], worker: 0)
        #expect(response.prepared != nil)
        #expect(response.prepared !== prepared)
        #expect(response.head.headerFields[.cacheControl] == "no-store")
        #expect(response.delay == .milliseconds(5))

        var plain = ServerResponse(status: .ok)
        plain.append(contentsOf: [HTTPField(name: .cacheControl, value: "no-store")], worker: 0)
        #expect(plain.prepared == nil)
        #expect(plain.head.headerFields[.cacheControl] == "no-store")
    }

    /// An answer made per request under a prepared head: the head as a reader sees it
    /// has the added field; the prepared fields stay as they are, and the answer is
    /// never sent as the prepared response itself.
    @Test func aPreparedHeadWithAFieldAddedIsReadAsOneHead() {
        let requestID = HTTPField.Name("X-Request-Id")!
        let id = RequestField(name: requestID, value: "req_1")
        var response = ServerResponse(head: prepared, adding: id, body: Array("[1]".utf8))
        #expect(response.prepared == nil)
        #expect(response.preparedHead === prepared)
        #expect(response.requestField == id)
        #expect(response.statusCode == 200)
        #expect(response.head.headerFields[requestID] == "req_1")
        #expect(response.head.headerFields[.contentType] == "application/json")
        #expect(response.fieldsBesideRequestField[requestID] == nil)

        response.append(contentsOf: [HTTPField(name: .accessControlAllowOrigin, value: "*")], worker: 0)
        #expect(response.preparedHead === prepared.adding([HTTPField(name: .accessControlAllowOrigin, value: "*")], worker: 0))
        #expect(response.requestField == id)
        #expect(response.body == Array("[1]".utf8))
        #expect(prepared.head.headerFields[requestID] == nil)

        response.head.status = .accepted
        #expect(response.preparedHead == nil)
        #expect(response.requestField == nil)
        #expect(response.statusCode == 202)
        #expect(response.head.headerFields[requestID] == "req_1")
        #expect(response.head.headerFields[.accessControlAllowOrigin] == "*")
    }
}
