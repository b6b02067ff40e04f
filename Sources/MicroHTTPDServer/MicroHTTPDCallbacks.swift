import CMicroHTTPD

// The C functions libmicrohttpd calls. Each gets the server as its context, unretained
// (see `HTTPServer`), and hands over to it at once.

/// The object at `pointer`, lent to `body` without a retain and a release: the server
/// is one object for every worker, and retaining it in each callback (four times a
/// request) made the workers write its reference count's cache line in turn.
/// `pointer` must stay retained elsewhere while `body` runs: the server outlives its
/// daemon, and a connection's context is released only when the connection closes.
@inline(__always)
func withObject<Object: AnyObject, Result>(
    at pointer: UnsafeMutableRawPointer, as _: Object.Type, _ body: (Object) -> Result
) -> Result {
    Unmanaged<Object>.fromOpaque(pointer)._withUnsafeGuaranteedRef(body)
}

/// A connection opened or closed: its `ConnectionContext` is made or released.
let connectionChanged: MHD_NotifyConnectionCallback = { serverPointer, connection, contextSlot, change in
    guard let serverPointer, let connection, let contextSlot else { return }
    withObject(at: serverPointer, as: HTTPServer.self) { server in
        switch change {
        case .CONNECTION_NOTIFY_STARTED:
            contextSlot.pointee = server.opened(connection)
        case .CONNECTION_NOTIFY_CLOSED:
            if let context = contextSlot.pointee { server.closed(context) }
            contextSlot.pointee = nil
        default:
            break
        }
    }
}

/// The request line has been read: a request begins (libmicrohttpd's URI log callback,
/// the first call for every request). What it returns is the request's context.
let requestStarted: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, OpaquePointer?) -> UnsafeMutableRawPointer? = {
    serverPointer, uri, connection in
    guard let serverPointer, let connection else { return nil }
    return withObject(at: serverPointer, as: HTTPServer.self) { $0.begin(uri: uri, on: connection) }
}

let requestCompleted: MHD_RequestCompletedCallback = { serverPointer, _, contextSlot, _ in
    guard let serverPointer, let contextSlot, let contextPointer = contextSlot.pointee else { return }
    contextSlot.pointee = nil
    withObject(at: serverPointer, as: HTTPServer.self) { $0.end(contextPointer) }
}

let accessHandler: MHD_AccessHandlerCallback = { serverPointer, connection, _, method, version, uploadData, uploadSize, contextSlot in
    guard let serverPointer, let connection, let method, let version, let uploadSize,
        let contextPointer = contextSlot?.pointee
    else { return .NO }
    return withObject(at: serverPointer, as: HTTPServer.self) { server in
        withObject(at: contextPointer, as: ConnectionContext.self) { context in
            server.handle(connection, context, method: method, version: version, uploadData: uploadData, uploadSize: uploadSize)
        }
    }
}

/// One header field of the request, into the request's state.
let collectHeaderField: MHD_KeyValueIteratorN = { contextPointer, _, key, keySize, value, valueSize in
    guard let contextPointer, let key else { return .YES }
    withObject(at: contextPointer, as: ConnectionContext.self) { context in
        collect(into: context, key: key, keySize: keySize, value: value, valueSize: valueSize)
    }
    return .YES
}

private func collect(
    into context: ConnectionContext, key: UnsafePointer<CChar>, keySize: Int, value: UnsafePointer<CChar>?, valueSize: Int
) {
    key.withMemoryRebound(to: UInt8.self, capacity: keySize) { keyBytes in
        let name = UnsafeBufferPointer(start: keyBytes, count: keySize)
        guard let value else {
            context.state.addHeaderField(name: name, value: UnsafeBufferPointer(start: nil, count: 0))
            return
        }
        value.withMemoryRebound(to: UInt8.self, capacity: valueSize) {
            context.state.addHeaderField(name: name, value: UnsafeBufferPointer(start: $0, count: valueSize))
        }
    }
}
