// libFuzzer entry for the mail gate's MIME reader (issue 9): any bytes a stranger can e-mail must parse
// without a trap, within the nesting and part limits. Built by scripts/fuzz-parsers.sh together with
// Sources/CaseportWeb/Services/Mailgate/{MIMEMessage,ReplyText}.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMIME(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let message = MIMEPart.parse(bytes)
    for part in message.leaves.prefix(50) {
        _ = part.isAttachment
        _ = part.filename
        _ = part.contentType
        let text = part.text
        _ = ReplyText.extract(String(text.prefix(20_000)))
        _ = MIMEText.plainText(fromHTML: String(text.prefix(20_000)))
    }
    let header = String(decoding: bytes.prefix(4_096), as: UTF8.self)
    _ = MIMEText.decodeHeader(header)
    _ = MIMEText.addresses(in: header)
    _ = MIMEPart.parameters(header)
    return 0
}
