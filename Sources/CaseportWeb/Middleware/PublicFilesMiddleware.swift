import Foundation
import Vapor

/// Serves `Public/` through Vapor's FileMiddleware, but only for GET/HEAD under the folders and
/// files that are really there (css, js). Every other path goes straight to the routes, so a
/// path the file system refuses (too long, not a folder, a NUL) is a 404, not a logged 500.
struct PublicFilesMiddleware: AsyncMiddleware {
    private let files: FileMiddleware
    private let topLevel: Set<String>

    init(publicDirectory: String) {
        files = FileMiddleware(publicDirectory: publicDirectory)
        topLevel = Set((try? FileManager.default.contentsOfDirectory(atPath: publicDirectory)) ?? [])
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .GET || request.method == .HEAD,
              let decoded = request.url.path.removingPercentEncoding,
              !decoded.contains("\0"),
              let first = decoded.split(separator: "/").first, topLevel.contains(String(first)),
              decoded.split(separator: "/").allSatisfy({ $0.utf8.count <= RequestShapeMiddleware.maximumSegmentBytes })
        else { return try await next.respond(to: request) }
        // Ask FileMiddleware alone (a marker instead of the routes), so that a file system error
        // (ENOTDIR, ENAMETOOLONG…) is told apart from a route's and answers 404, not 500.
        do {
            return try await files.respond(to: request, chainingTo: NoFile())
        } catch is NoFile.Missing {
            return try await next.respond(to: request)
        } catch let abort as any AbortError {
            throw abort
        } catch {
            throw Abort(.notFound)
        }
    }

    private struct NoFile: AsyncResponder {
        struct Missing: Error {}
        func respond(to request: Request) async throws -> Response { throw Missing() }
    }
}
