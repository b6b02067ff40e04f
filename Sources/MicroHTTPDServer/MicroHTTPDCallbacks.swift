import CMicroHTTPD

// The C functions libmicrohttpd calls. Each gets the server as its context, unretained
// (see `HTTPServer`), and hands over to it at once.

/// A connection opened or closed: its `ConnectionContext` is made or released.
let connectionChanged: MHD_NotifyConnectionCallback = { serverPointer, connection, contextSlot, change in
    guard let serverPointer, let connection, let contextSlot else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(serverPointer).takeUnretainedValue()
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

/// The request line has been read: a request begins (libmicrohttpd's URI log callback,
/// the first call for every request). What it returns is the request's context.
let requestStarted: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, OpaquePointer?) -> UnsafeMutableRawPointer? = {
    serverPointer, uri, connection in
    guard let serverPointer, let connection else { return nil }
    return Unmanaged<HTTPServer>.fromOpaque(serverPointer).takeUnretainedValue().begin(uri: uri, on: connection)
}

let requestCompleted: MHD_RequestCompletedCallback = { serverPointer, _, contextSlot, _ in
    guard let serverPointer, let contextSlot, let contextPointer = contextSlot.pointee else { return }
    contextSlot.pointee = nil
    Unmanaged<HTTPServer>.fromOpaque(serverPointer).takeUnretainedValue().end(contextPointer)
}

let accessHandler: MHD_AccessHandlerCallback = { serverPointer, connection, _, method, version, uploadData, uploadSize, contextSlot in
    guard let serverPointer, let connection, let method, let version, let uploadSize,
        let contextPointer = contextSlot?.pointee
    else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(serverPointer).takeUnretainedValue()
    let context = Unmanaged<ConnectionContext>.fromOpaque(contextPointer).takeUnretainedValue()
    return server.handle(connection, context, method: method, version: version, uploadData: uploadData, uploadSize: uploadSize)
}

/// One header field of the request, into the request's state.
let collectHeaderField: MHD_KeyValueIteratorN = { contextPointer, _, key, keySize, value, valueSize in
    guard let contextPointer, let key else { return .YES }
    let context = Unmanaged<ConnectionContext>.fromOpaque(contextPointer).takeUnretainedValue()
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
    return .YES
}
