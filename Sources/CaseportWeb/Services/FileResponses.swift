import CaseportCore
import CaseportStore
import Vapor

/// Serves a stored file safely: a download (`attachment`) of type application/octet-stream unless the
/// bytes proved to be a raster image or PDF (then that type, inline only when asked for). The name
/// the user uploaded goes into Content-Disposition encoded per RFC 6266, never into a path.
enum FileResponses {
    static func serve(_ file: StoredFileRecord, request: Request, inline: Bool) async throws -> Response {
        let path = request.caseport.storage.path(for: file.storageKey)
        guard FileManager.default.fileExists(atPath: path) else { throw Abort(.notFound) }
        let safeInline = inline && ContentSniffing.inlineTypes.contains(file.contentType)
        let response = try await request.fileio.asyncStreamFile(at: path)
        response.headers.replaceOrAdd(name: .contentType,
                                      value: ContentSniffing.inlineTypes.contains(file.contentType) ? file.contentType : "application/octet-stream")
        response.headers.replaceOrAdd(name: .contentDisposition, value: disposition(file.originalName, inline: safeInline))
        // Even if a browser were tricked into rendering it, the file may run nothing.
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    static func disposition(_ name: String, inline: Bool) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "\(inline ? "inline" : "attachment"); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}
