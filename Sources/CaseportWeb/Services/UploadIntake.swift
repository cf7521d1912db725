import CaseportCore
import CaseportOperations
import Vapor

/// The one path from an upload form to stored files, for every page that takes files (the portal's
/// case page, the staff case page, a customer's and an object's staff page): the multipart body is
/// streamed by `UploadReceiver` (size and count limits), each "files" part is put into storage under
/// a generated key with its sniffed type (`ContentSniffing`) and a cleaned name, and `record` — the
/// page's operation — writes the rows. When `record` fails nothing refers to the stored bytes, so
/// they are deleted again; staged files that storage did not take are always removed.
enum UploadIntake {
    /// Why nothing was stored: the locale key to show beside the file field and the answer's status.
    struct Refused: Error {
        var key: String
        var status: HTTPResponseStatus
        /// The form's other fields as far as they arrived, to show again.
        var fields: [String: String] = [:]
    }

    /// Stores the request's files and hands them to `record`; `Refused` when the upload is unusable.
    /// `beforeStoring` sees the form's other fields (a shared account's chosen person) and may throw
    /// before anything is kept.
    static func store(_ request: Request,
                      beforeStoring: ([String: String]) async throws -> Void = { _ in },
                      record: ([AttachUploadedFiles.StoredUpload]) async throws -> Void) async throws {
        try await store(request, filesRequired: true, beforeStoring: beforeStoring) { _, stored in try await record(stored) }
    }

    /// The same for a form whose files are optional (a message that may carry files, issue 12):
    /// `record` gets the form's other fields too, and throws to have the stored files deleted again.
    static func store(_ request: Request, filesRequired: Bool,
                      beforeStoring: ([String: String]) async throws -> Void = { _ in },
                      record: ([String: String], [AttachUploadedFiles.StoredUpload]) async throws -> Void) async throws {
        let storage = request.caseport.storage
        let received: UploadReceiver.Received
        do {
            received = try await UploadReceiver(storage: storage).receive(request)
        } catch let stopped as UploadReceiver.Stopped {
            let fields = stopped.fields
            switch stopped.failure {
            case .tooLarge: throw Refused(key: "upload_error_too_large", status: .payloadTooLarge, fields: fields)
            case .tooMany: throw Refused(key: "upload_error_too_many", status: .badRequest, fields: fields)
            case .tooManyParts: throw Refused(key: "upload_error_too_many_fields", status: .payloadTooLarge, fields: fields)
            case .malformed: throw Refused(key: "upload_error_failed", status: .badRequest, fields: fields)
            // The friendly "the form expired" page (403), as for every other form.
            case .expiredForm: throw FormExpired(typed: [])
            }
        }
        defer { received.discard() }
        try await beforeStoring(received.fields)
        let files = received.files.filter { $0.fieldName == "files" }
        guard !files.isEmpty || !filesRequired else { throw Refused(key: "upload_error_none", status: .unprocessableEntity) }
        var stored: [AttachUploadedFiles.StoredUpload] = []
        do {
            for file in files {
                let key = storage.newKey()
                let head = Array(file.staged.head.prefix(16))
                try await storage.put(key: key, from: .staged(file.staged))
                stored.append(.init(storageKey: key, originalName: cleanFilename(file.filename),
                                    contentType: ContentSniffing.detect(head) ?? "application/octet-stream", byteSize: file.byteSize))
            }
            try await record(received.fields, stored)
        } catch {
            for upload in stored { try? await storage.delete(key: upload.storageKey) }
            throw error
        }
    }

    /// Keeps the name readable but harmless: no folders, no control characters, at most 200 characters.
    static func cleanFilename(_ name: String) -> String {
        let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(base.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.map(Character.init))
            .trimmed
        return cleaned.isEmpty ? "file" : String(cleaned.prefix(200))
    }
}
