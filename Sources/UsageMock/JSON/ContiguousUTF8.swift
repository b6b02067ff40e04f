/// Text whose UTF-8 bytes can be lent at once: a String, or a Poe query id kept inline
/// (`PoeSection.QueryID`). Cursors are looked up, and rows written, from the bytes.
protocol ContiguousUTF8 {
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result
}

extension String: ContiguousUTF8 {
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        var string = self
        return string.withUTF8(body)
    }
}
