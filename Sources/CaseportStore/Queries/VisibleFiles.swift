import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// A file as the portal lists it.
public struct FileListing: Codable, Sendable, Equatable {
    public var id: Int
    public var originalName: String
    public var contentType: String
    public var byteSize: Int
    public var uploaderName: String
    public var uploadedByUserId: Int?
    public var createdAt: Date
    public var customerName: String?
    public var objectName: String?
    /// The message the file came with (M031); nil for register files and older case files.
    public var messageId: Int?

    /// A row of `caseFiles` or `registerFiles`, read column by column (issue 17, session 27: decoded with
    /// `convertFromSnakeCase`, the files of a case were 3.8 % of the server's CPU on a portal case page).
    static func read(_ row: any SQLRow) throws -> FileListing {
        FileListing(
            id: try row.decode(column: "id", as: Int.self),
            originalName: try row.decode(column: "original_name", as: String.self),
            contentType: try row.decode(column: "content_type", as: String.self),
            byteSize: try row.decode(column: "byte_size", as: Int.self),
            uploaderName: try row.decode(column: "uploader_name", as: String.self),
            uploadedByUserId: try row.decodeOptional(column: "uploaded_by_user_id", as: Int.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            customerName: try row.decodeOptional(column: "customer_name", as: String.self),
            objectName: try row.decodeOptional(column: "object_name", as: String.self),
            messageId: try row.decodeOptional(column: "message_id", as: Int.self))
    }
}

/// Files through the access rule: case files follow the case rule (A7), customer and object files
/// follow `FileVisibility` (B9). Downloads look files up only through `find`.
public struct VisibleFiles: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    static func registerPredicate(_ visibility: FileVisibility) -> SQLQueryString {
        var branches: [SQLQueryString] = []
        if !visibility.customerIds.isEmpty {
            branches.append("f.customer_id IN (\(binds: visibility.customerIds.sorted()))")
        }
        if !visibility.objectIds.isEmpty {
            branches.append("f.object_id IN (\(binds: visibility.objectIds.sorted()))")
        }
        if !visibility.objectOwnerIds.isEmpty {
            branches.append("f.object_id IN (SELECT o.id FROM objects o WHERE o.customer_id IN (\(binds: visibility.objectOwnerIds.sorted())))")
        }
        guard !branches.isEmpty else { return "1 = 0" }
        return "(" + branches.joined(separator: " OR ") + ")"
    }

    /// The file with this id when the viewer may download it; nil otherwise (also when removed).
    public func find(fileId: Int, cases: CaseVisibility, register: FileVisibility) async throws -> StoredFileRecord? {
        let sql = try database.requireSQL()
        let row = try await sql.raw("""
            SELECT f.id FROM files f
            WHERE f.id = \(bind: fileId) AND f.removed_at IS NULL AND (
                (f.case_id IS NOT NULL AND \(Self.sharedPredicate) AND f.case_id IN (SELECT c.id FROM cases c WHERE \(CaseVisibilitySQL.predicate(cases, dialect: sql.dialect.name))))
                OR (f.case_id IS NULL AND \(Self.registerPredicate(register))))
            """).first()
        guard let id = try row?.decode(column: "id", as: Int.self) else { return nil }
        return try await StoredFileRecord.find(id, on: database)
    }

    /// Issue 13 (C4): a case file reaches a customer only when it is shared and is not a task's
    /// medium (task media are never shown to customers). Every customer-facing look-up of case
    /// files carries this condition in its SQL.
    static var sharedPredicate: SQLQueryString { "(f.is_shared = \(true) AND f.task_id IS NULL)" }

    /// The files of one case (the caller found the case through `VisibleCases`), newest first: those
    /// the customer may see (shared, not task media). Staff pages pass `includingUnshared` to list
    /// every file of the case.
    public func caseFiles(caseId: Int, includingUnshared: Bool = false) async throws -> [FileListing] {
        let shared: SQLQueryString = includingUnshared ? "1 = 1" : Self.sharedPredicate
        return try await database.requireSQL().raw("""
            SELECT f.id, f.original_name, f.content_type, f.byte_size, f.uploader_name, f.uploaded_by_user_id,
                   f.created_at, NULL AS customer_name, NULL AS object_name, f.message_id
            FROM files f WHERE f.case_id = \(bind: caseId) AND f.removed_at IS NULL AND \(shared)
            ORDER BY f.created_at DESC, f.id DESC
            """).all().map(FileListing.read)
    }

    /// Customer and object files the viewer may see (B9), newest first.
    public func registerFiles(for visibility: FileVisibility, offset: Int = 0, limit: Int = 100) async throws -> [FileListing] {
        try await database.requireSQL().raw("""
            SELECT f.id, f.original_name, f.content_type, f.byte_size, f.uploader_name, f.uploaded_by_user_id,
                   f.created_at, cu.name AS customer_name, o.name AS object_name, f.message_id
            FROM files f
            LEFT JOIN customers cu ON cu.id = f.customer_id
            LEFT JOIN objects o ON o.id = f.object_id
            WHERE f.case_id IS NULL AND f.removed_at IS NULL AND \(Self.registerPredicate(visibility))
            ORDER BY f.created_at DESC, f.id DESC
            LIMIT \(literal: limit) OFFSET \(literal: offset)
            """).all().map(FileListing.read)
    }

    /// Saves an uploaded file on a case and writes the message that says so, in one transaction.
    public func addToCase(_ file: StoredFileRecord, message: String, text: MessageText? = nil, author: CaseConversation.Author,
                          at now: Date = Date()) async throws {
        try await database.transaction { tx in
            let line = try await CaseConversation.insert(caseId: file.caseId!, author: author, body: message,
                                                         isInternal: false, at: now, text: text, on: tx)
            // The file shows as a chip in the line that announces it (issue 12).
            file.messageId = try line.requireID()
            try await file.create(on: tx)
        }
    }

    /// Saves files that came with a message (a reply that carries files, issue 12) on the message's
    /// case; the caller runs this in the message's transaction.
    public static func attach(_ files: [StoredFileRecord], to message: CaseMessageRecord, on tx: any Database) async throws {
        for file in files {
            file.caseId = message.caseId
            file.messageId = try message.requireID()
            try await file.create(on: tx)
        }
    }

    /// Marks a case file removed and writes the message that says so. Only the uploader may remove
    /// their own file; returns false when this user may not.
    public func removeFromCase(fileId: Int, caseId: Int, byUserId userId: Int, message: String, text: MessageText? = nil,
                               author: CaseConversation.Author, at now: Date = Date()) async throws -> StoredFileRecord? {
        try await database.transaction { tx in
            guard let file = try await StoredFileRecord.query(on: tx)
                .filter(\.$id == fileId).filter(\.$caseId == caseId)
                .filter(\.$uploadedByUserId == userId).filter(\.$removedAt == nil).first() else { return nil }
            file.removedAt = now
            try await file.update(on: tx)
            _ = try await CaseConversation.insert(caseId: caseId, author: author, body: message, isInternal: false, at: now,
                                                  text: text, on: tx)
            return file
        }
    }
}
