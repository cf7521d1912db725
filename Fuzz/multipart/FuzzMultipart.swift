// libFuzzer entry for the streaming multipart/form-data reader (issue 9). The first byte chooses how the
// body is cut into chunks, so a delimiter split across two reads is exercised as it is on a real socket.
// Built by scripts/fuzz-parsers.sh together with Sources/CaseportWeb/Services/MultipartStream.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 1 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let chunkSize = Int(bytes[0]) + 1
    var stream = MultipartStream(boundary: "fuzzboundary")
    var body = bytes.dropFirst()[...]
    do {
        while !body.isEmpty {
            let chunk = Array(body.prefix(chunkSize))
            body = body.dropFirst(chunkSize)
            try stream.feed(chunk) { event in
                if case .partStart(let headers) = event { _ = headers.count }
            }
        }
    } catch {
        // A malformed body is refused; what matters is that it is refused without a trap.
    }
    return 0
}
