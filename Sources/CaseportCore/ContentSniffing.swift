/// Decides how an uploaded file may be served. The browser's claimed type is not trusted: a file is
/// shown inline only when its first bytes prove it is a raster image, a PDF or plain text; anything
/// else (SVG and HTML included) is served as a download of type application/octet-stream.
public enum ContentSniffing {
    public static let inlineTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"]

    /// The type the bytes prove, or nil.
    public static func detect(_ head: [UInt8]) -> String? {
        func starts(_ prefix: [UInt8]) -> Bool { head.count >= prefix.count && Array(head.prefix(prefix.count)) == prefix }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if head.count >= 12, starts(Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        if starts(Array("%PDF-".utf8)) { return "application/pdf" }
        return nil
    }

    public static func isImage(_ type: String) -> Bool { type.hasPrefix("image/") && inlineTypes.contains(type) }
}
