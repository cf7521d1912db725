import CaseportCore
import FluentKit
import Foundation

/// Files as the back office handles them: staff see every file, add files to a case, a customer or an
/// object (B9), and remove any of them. Removing marks the row (kept for the record); the caller
/// deletes the bytes.
public struct StaffFiles: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    /// Where a register file (B9) hangs.
    public enum Owner: Sendable, Equatable {
        case customer(Int)
        case object(Int)
    }

    /// A file that is not removed, wherever it hangs.
    public func find(fileId: Int) async throws -> StoredFileRecord? {
        try await StoredFileRecord.query(on: database).filter(\.$id == fileId).filter(\.$removedAt == nil).first()
    }

    /// The files of a customer or an object, newest first.
    public func registerFiles(of owner: Owner, limit: Int = 200) async throws -> [StoredFileRecord] {
        let query = StoredFileRecord.query(on: database).filter(\.$caseId == nil).filter(\.$removedAt == nil)
        switch owner {
        case .customer(let id): query.filter(\.$customerId == id).filter(\.$objectId == nil)
        case .object(let id): query.filter(\.$objectId == id)
        }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(limit).all()
    }

    /// Marks a case file removed (whoever uploaded it) and writes the public line that says so.
    public func removeFromCase(fileId: Int, caseId: Int, message: String, text: MessageText? = nil, author: CaseConversation.Author,
                               at now: Date = Date()) async throws -> StoredFileRecord? {
        try await database.transaction { tx in
            guard let file = try await StoredFileRecord.query(on: tx).filter(\.$id == fileId).filter(\.$caseId == caseId)
                .filter(\.$removedAt == nil).first() else { return nil }
            file.removedAt = now
            try await file.update(on: tx)
            _ = try await CaseConversation.insert(caseId: caseId, author: author, body: message, isInternal: false, at: now,
                                                  text: text, on: tx)
            return file
        }
    }
}
