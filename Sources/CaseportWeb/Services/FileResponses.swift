import CaseportCore
import CaseportStore
import Vapor

/// Serves a stored file safely: a download (`attachment`) of type application/octet-stream unless the
/// bytes proved to be a raster image or PDF (then that type, inline only when asked for). The name
/// the user uploaded goes into Content-Disposition encoded per RFC 6266, never into a path.
enum FileResponses {
    static func serve(_ file: StoredFileRecord, request: Request, inline: Bool) async throws -> Response {
        let safeInline = inline && ContentSniffing.inlineTypes.contains(file.contentType)
        let response = try await stream(file.storageKey, request: request)
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

    /// What storage holds under `key`, streamed as it is read (a 30 MB file never sits in memory):
    /// 200 with every byte, 206 for one `Range: bytes=…` (read as a ranged read from the store), 304
    /// when `If-None-Match` names its tag, 404 when nothing is stored. Callers add the type and
    /// disposition headers.
    static func stream(_ key: String, request: Request) async throws -> Response {
        let storage = request.caseport.storage
        var wanted: Range<Int>?
        if let header = request.headers.range {
            // One byte range is served as asked; several are answered with the whole file.
            if header.unit == .bytes, header.ranges.count == 1, let requested = header.ranges.first {
                guard let size = try await storage.size(key: key) else { throw Abort(.notFound) }
                wanted = try byteRange(requested, size: size)
            }
        } else if request.headers.contains(name: .range) {
            throw Abort(.badRequest)
        }
        let object: StoredObject
        do {
            object = try await storage.open(key: key, range: wanted)
        } catch is FileStorageError {
            throw Abort(.notFound)
        }
        var headers = HTTPHeaders()
        let eTag = "\"\(object.tag)\""
        headers.replaceOrAdd(name: .eTag, value: eTag)
        if let modified = object.lastModified { headers.lastModified = HTTPHeaders.LastModified(modified) }
        if request.headers.first(name: .ifNoneMatch) == eTag {
            headers.replaceOrAdd(name: .contentLength, value: String(object.size))
            return Response(status: .notModified, version: .http1_1, headersNoUpdate: headers, body: .empty)
        }
        headers.replaceOrAdd(name: .acceptRanges, value: "bytes")
        let response = Response(status: wanted == nil ? .ok : .partialContent, headers: headers)
        if wanted != nil {
            response.headers.contentRange = HTTPHeaders.ContentRange(
                unit: .bytes, range: .withinWithLimit(start: object.offset, end: object.offset + object.length - 1, limit: object.size))
        }
        let chunks = object.chunks
        response.body = .init(asyncStream: { writer in
            do {
                for try await chunk in chunks { try await writer.writeBuffer(ByteBuffer(bytes: chunk)) }
                try await writer.write(.end)
            } catch {
                try? await writer.write(.error(error))
            }
        }, count: object.length, byteBufferAllocator: request.byteBufferAllocator)
        return response
    }

    /// A requested byte range as offsets into a file of `size` bytes (RFC 9110 14.1.2: an end past
    /// the file is cut to it); a range that starts past the end is a bad request.
    static func byteRange(_ value: HTTPHeaders.Range.Value, size: Int) throws -> Range<Int> {
        switch value {
        case .start(let start):
            guard start >= 0, start < size else { throw Abort(.badRequest) }
            return start..<size
        case .tail(let count):
            guard count > 0, size > 0 else { throw Abort(.badRequest) }
            return max(0, size - count)..<size
        case .within(let start, let end):
            guard start >= 0, start <= end, start < size else { throw Abort(.badRequest) }
            return start..<min(end, size - 1) + 1
        }
    }
}
