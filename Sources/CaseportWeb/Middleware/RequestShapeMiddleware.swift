import Vapor

/// Refuses requests whose shape no route can use, before anything reads their body (issue 9):
/// overlong paths answer 404 without touching the file system, a multipart body needs a legal
/// boundary (MultipartKit traps on an empty one), and a POST must be application/x-www-form-urlencoded
/// or, on upload routes only, multipart/form-data.
struct RequestShapeMiddleware: AsyncMiddleware {
    /// Longest path segment (NAME_MAX) and whole path we look at; longer ones name nothing here.
    static let maximumSegmentBytes = 255
    static let maximumPathBytes = 2048

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path
        guard path.utf8.count <= Self.maximumPathBytes,
              path.split(separator: "/").allSatisfy({ $0.utf8.count <= Self.maximumSegmentBytes }) else {
            throw Abort(.notFound)
        }
        if let type = request.headers.contentType, type.type.lowercased() == "multipart",
           !Self.isLegalBoundary(type.parameters["boundary"]) {
            throw Abort(.badRequest)
        }
        // No one types a NUL; PostgreSQL refuses it in text ("invalid byte sequence"), so it would
        // otherwise surface as a 500 from whichever query first sees it.
        if Self.containsNUL(request.url.query) { throw Abort(.badRequest) }
        // The JSON API reads its own bodies (JSON, or a file's bytes) through the generated server.
        if ![.GET, .HEAD, .OPTIONS].contains(request.method), !request.isAPIPath, let route = request.route {
            let type = request.headers.contentType
            // A Content-Type header that does not parse is no form at all.
            if type == nil, request.headers.first(name: .contentType) != nil { throw Abort(.unsupportedMediaType) }
            if let type {
                let isForm = type.type.lowercased() == "application" && type.subType.lowercased() == "x-www-form-urlencoded"
                let isUpload = type.type.lowercased() == "multipart" && type.subType.lowercased() == "form-data"
                // Upload routes also let a url-encoded post through, to be refused by the route itself
                // after its guards (a handler still gets 403 on an admin upload, not 415).
                guard isForm || (isUpload && route.acceptsUploads) else { throw Abort(.unsupportedMediaType) }
                // Collected here (up to the form routes' limit) so that every later step, the CSRF
                // check first, sees the whole body even when it arrived in several chunks.
                if isForm, request.body.data == nil {
                    _ = try await request.body.collect(max: request.application.routes.defaultMaxBodySize.value).get()
                }
                if isForm, let body = request.body.data,
                   Self.containsNUL(body.getString(at: body.readerIndex, length: body.readableBytes)) {
                    throw Abort(.badRequest)
                }
            }
        }
        return try await next.respond(to: request)
    }

    /// A raw NUL byte or a percent-encoded one (`%00`) in url-encoded text.
    static func containsNUL(_ text: String?) -> Bool {
        guard let text else { return false }
        return text.utf8.contains(0) || text.range(of: "%00") != nil
    }

    /// RFC 2046 §5.1.1: 1–70 characters from `bchars`, not ending in a space.
    static func isLegalBoundary(_ boundary: String?) -> Bool {
        guard let boundary, (1...70).contains(boundary.utf8.count), boundary.utf8.last != UInt8(ascii: " ") else { return false }
        let extra = Set("'()+_,-./:=? ".utf8)
        return boundary.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || extra.contains(byte)
        }
    }
}

extension Route {
    private static let uploadKey = "caseport.acceptsUploads"

    private static let collectKey = "caseport.multipartCollect"

    /// Marks a route whose form is multipart/form-data. Its CSRF token is the body's first field:
    /// a streamed route's `UploadReceiver` checks it before taking file data; a route that collects
    /// its body (`collecting`: the route's size limit) has it checked by `CSRFMiddleware`.
    @discardableResult
    func acceptsMultipart(collecting limit: Int? = nil) -> Route {
        userInfo[AnySendableHashable(Self.uploadKey)] = true
        if let limit { userInfo[AnySendableHashable(Self.collectKey)] = limit }
        return self
    }

    var acceptsUploads: Bool { userInfo[AnySendableHashable(Self.uploadKey)] as? Bool == true }
    var multipartCollectLimit: Int? { userInfo[AnySendableHashable(Self.collectKey)] as? Int }
}
