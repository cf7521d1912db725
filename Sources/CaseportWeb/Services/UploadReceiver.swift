import CaseportCore
import Foundation
import Vapor

/// Reads a multipart/form-data upload as it streams in, writing each file part to a file staged by
/// storage (`FileStorage.stage()`) so that large uploads never sit in memory. A file over the size limit, or a broken upload, stops
/// the request and every temporary file is removed: a half-uploaded file leaves nothing behind.
struct UploadReceiver {
    static let maximumFileBytes = 30 * 1024 * 1024
    static let maximumFiles = 10
    /// Parts of any kind, and bytes of all non-file fields together: an upload form has a handful of
    /// small fields, and without a cap thousands of 100 KB fields could fill the server's memory.
    static let maximumParts = 50
    static let maximumFieldBytes = 100_000
    static let maximumTotalFieldBytes = 256 * 1024

    struct ReceivedFile {
        var fieldName: String
        var filename: String
        var contentType: String
        /// The bytes as they arrived, with their first bytes for sniffing; `put(key:from: .staged)` keeps them.
        var staged: StagedFile
        var byteSize: Int
    }

    struct Received {
        var fields: [String: String] = [:]
        var files: [ReceivedFile] = []

        /// Removes the staged files that storage did not take.
        func discard() {
            for file in files { file.staged.discard() }
        }
    }

    enum Failure: Error {
        case tooLarge
        case tooMany
        case tooManyParts
        case malformed
        /// The body's first part was not the form's CSRF token (or did not match the cookie).
        case expiredForm
    }

    /// A failure with the form's fields read before it (the text typed above the file field), so the
    /// page can show them again.
    struct Stopped: Error {
        var failure: Failure
        var fields: [String: String]
    }

    let storage: any FileStorage

    func receive(_ request: Request) async throws -> Received {
        guard let boundary = request.headers.contentType?.parameters["boundary"], !boundary.isEmpty,
              request.headers.contentType?.subType == "form-data" else { throw Stopped(failure: .malformed, fields: [:]) }

        var received = Received()
        var stream = MultipartStream(boundary: boundary)
        var currentFile: ReceivedFile?
        var fieldName: String?
        var fieldBytes: [UInt8] = []
        var parts = 0
        var totalFieldBytes = 0
        // The form's token comes first (CSRFMiddleware left it to us): no file part is accepted before it.
        let expectedToken = request.pendingMultipartCSRF
        var tokenChecked = expectedToken == nil

        func cleanUp() {
            currentFile?.staged.discard()
            received.discard()
        }

        do {
            for try await chunk in request.body {
                try stream.feed(Array(chunk.readableBytesView)) { event in
                    switch event {
                    case .partStart(let headers):
                        parts += 1
                        guard parts <= Self.maximumParts else { throw Failure.tooManyParts }
                        let disposition = headers["content-disposition"] ?? ""
                        let name = Self.parameter("name", in: disposition) ?? ""
                        if !tokenChecked, parts > 1 || name != CSRFMiddleware.fieldName
                            || Self.parameter("filename", in: disposition) != nil {
                            throw Failure.expiredForm
                        }
                        if let filename = Self.parameter("filename", in: disposition) {
                            guard received.files.count < Self.maximumFiles else { throw Failure.tooMany }
                            currentFile = ReceivedFile(fieldName: name, filename: filename,
                                                       contentType: headers["content-type"] ?? "application/octet-stream",
                                                       staged: try storage.stage(), byteSize: 0)
                        } else {
                            fieldName = name
                            fieldBytes = []
                        }
                    case .bodyBytes(let bytes):
                        if var file = currentFile {
                            file.byteSize += bytes.count
                            currentFile = file
                            if file.byteSize > Self.maximumFileBytes { throw Failure.tooLarge }
                            try file.staged.write(bytes)
                        } else {
                            totalFieldBytes += bytes.count
                            if totalFieldBytes > Self.maximumTotalFieldBytes { throw Failure.tooManyParts }
                            if fieldBytes.count + bytes.count <= Self.maximumFieldBytes { fieldBytes += bytes }
                        }
                    case .partEnd:
                        if let file = currentFile {
                            file.staged.finish()
                            currentFile = nil
                            // An empty file input sends a part with no file name and no bytes: ignore it.
                            if file.filename.isEmpty && file.byteSize == 0 {
                                file.staged.discard()
                            } else {
                                received.files.append(file)
                            }
                        } else if let name = fieldName {
                            let value = String(decoding: fieldBytes, as: UTF8.self)
                            if !tokenChecked {
                                guard let expectedToken, CSRFMiddleware.constantTimeEqual(expectedToken, value) else {
                                    throw Failure.expiredForm
                                }
                                tokenChecked = true
                            } else {
                                received.fields[name] = value
                            }
                            fieldName = nil
                        }
                    }
                }
            }
            guard tokenChecked else { throw Failure.expiredForm }
            guard stream.isComplete else { throw Failure.malformed }
        } catch let failure as Failure {
            cleanUp()
            throw Stopped(failure: failure, fields: failure == .expiredForm ? [:] : received.fields)
        } catch {
            // A broken body, the client going away, or the task being cancelled.
            cleanUp()
            throw Stopped(failure: .malformed, fields: received.fields)
        }
        return received
    }

    /// A parameter of a Content-Disposition header, e.g. `filename="Bild 1.jpg"` (RFC 7578).
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let parts = piece.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var value = parts[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return nil
    }
}
