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
    }

    /// Stores the request's files and hands them to `record`; `Refused` when the upload is unusable.
    /// `beforeStoring` sees the form's other fields (a shared account's chosen person) and may throw
    /// before anything is kept.
    static func store(_ request: Request,
                      beforeStoring: ([String: String]) async throws -> Void = { _ in },
                      record: ([AttachUploadedFiles.StoredUpload]) async throws -> Void) async throws {
        let storage = request.caseport.storage
        let received: UploadReceiver.Received
        do {
            received = try await UploadReceiver(storage: storage).receive(request)
        } catch let failure as UploadReceiver.Failure {
            switch failure {
            case .tooLarge: throw Refused(key: "upload_error_too_large", status: .payloadTooLarge)
            case .tooMany: throw Refused(key: "upload_error_too_many", status: .badRequest)
            case .tooManyParts: throw Refused(key: "upload_error_too_many_fields", status: .payloadTooLarge)
            case .malformed: throw Refused(key: "upload_error_failed", status: .badRequest)
            }
        }
        defer { received.discard() }
        try await beforeStoring(received.fields)
        let files = received.files.filter { $0.fieldName == "files" }
        guard !files.isEmpty else { throw Refused(key: "upload_error_none", status: .unprocessableEntity) }
        var stored: [AttachUploadedFiles.StoredUpload] = []
        do {
            for file in files {
                let key = storage.newKey()
                let head = Array(file.staged.head.prefix(16))
                try await storage.put(key: key, from: .staged(file.staged))
                stored.append(.init(storageKey: key, originalName: cleanFilename(file.filename),
                                    contentType: ContentSniffing.detect(head) ?? "application/octet-stream", byteSize: file.byteSize))
            }
            try await record(stored)
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
