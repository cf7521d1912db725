import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// One document of a case's library as staff see it (issue 13 point 3, C4, D3).
public struct CaseDocumentRow: Codable, Sendable, Equatable {
    public var id: Int
    public var originalName: String
    public var contentType: String
    public var byteSize: Int
    public var uploaderName: String
    public var uploadedByUserId: Int?
    public var createdAt: Date
    /// `CaseDocumentCategory`; nil for a file of the conversation (shown by its content type).
    public var category: String?
    public var title: String?
    public var isShared: Bool
    public var sharedAt: Date?
    public var supplierId: Int?
    public var supplierName: String?
    /// The message the file came with (M031); read by `library(caseId:)` only (the staff case page lists the
    /// conversation's files from the same rows).
    public var messageId: Int?

    /// The library's Type column: the stored category, or photo/other by content type for a
    /// conversation's file.
    public var shownCategory: CaseDocumentCategory {
        if let category, let known = CaseDocumentCategory(rawValue: category) { return known }
        return ContentSniffing.isImage(contentType) ? .photo : .other
    }

    /// The Title column: the title staff gave, or the file's name.
    public var shownTitle: String {
        if let title, !title.trimmingCharacters(in: .whitespaces).isEmpty { return title }
        return originalName
    }
}

/// A report that is due to be shared automatically: the case it belongs to and its name.
public struct DueReport: Sendable, Equatable {
    public var fileId: Int
    public var caseId: Int
    public var category: CaseDocumentCategory
    public var name: String
}

/// The case's document library (issue 13, C4): every file of the case except task media, and the
/// conditional writes that share and unshare them. Each write changes a row only in the state the
/// caller expects (`… WHERE is_shared = … RETURNING id`), so two people or two servers at once
/// cannot both do it, and the caller writes its event only when a row changed.
///
/// Sharing state: `is_shared` says whether customers see the file; `shared_at` is when it was last
/// shared and stays set after staff stop sharing, so a report staff have unshared is never shared
/// again automatically (`dueReports` takes only reports that were never shared).
public struct CaseDocuments: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    /// The library of one case, newest first. Task media (`task_id`) belong to their task, not here.
    public func library(caseId: Int) async throws -> [CaseDocumentRow] {
        try await database.requireSQL().raw("""
            SELECT f.id, f.original_name, f.content_type, f.byte_size, f.uploader_name, f.uploaded_by_user_id,
                   f.created_at, f.category, f.title, f.is_shared, f.shared_at, f.supplier_id, s.name AS supplier_name, f.message_id
            FROM files f LEFT JOIN suppliers s ON s.id = f.supplier_id
            WHERE f.case_id = \(bind: caseId) AND f.removed_at IS NULL AND f.task_id IS NULL
            ORDER BY f.created_at DESC, f.id DESC
            """).all(decoding: CaseDocumentRow.self, with: .init(keyDecodingStrategy: .convertFromSnakeCase))
    }

    /// One document of the case's library (not removed, not a task's medium).
    public func find(fileId: Int, caseId: Int) async throws -> StoredFileRecord? {
        try await StoredFileRecord.query(on: database).filter(\.$id == fileId).filter(\.$caseId == caseId)
            .filter(\.$removedAt == nil).filter(\.$taskId == nil).first()
    }

    /// Shares the document; true when it was unshared and now is shared (false: already shared, or
    /// not a document of this case).
    public func share(fileId: Int, caseId: Int, at now: Date) async throws -> Bool {
        try await database.requireSQL().raw("""
            UPDATE files SET is_shared = \(true), shared_at = \(bind: now)
            WHERE id = \(bind: fileId) AND case_id = \(bind: caseId) AND is_shared = \(false)
              AND removed_at IS NULL AND task_id IS NULL RETURNING id
            """).first() != nil
    }

    /// Shares a report automatically: only when it was never shared (staff who stopped sharing it
    /// decided), and only while unshared. True when this call shared it.
    public func shareAutomatically(fileId: Int, at now: Date) async throws -> Bool {
        try await database.requireSQL().raw("""
            UPDATE files SET is_shared = \(true), shared_at = \(bind: now)
            WHERE id = \(bind: fileId) AND is_shared = \(false) AND shared_at IS NULL
              AND removed_at IS NULL AND task_id IS NULL RETURNING id
            """).first() != nil
    }

    /// Stops sharing the document; true when it was shared and now is not. `shared_at` stays, so the
    /// document is never shared again automatically.
    public func unshare(fileId: Int, caseId: Int, at now: Date) async throws -> Bool {
        try await database.requireSQL().raw("""
            UPDATE files SET is_shared = \(false), shared_at = COALESCE(shared_at, \(bind: now))
            WHERE id = \(bind: fileId) AND case_id = \(bind: caseId) AND is_shared = \(true)
              AND removed_at IS NULL AND task_id IS NULL RETURNING id
            """).first() != nil
    }

    /// Marks the document removed; the removed row, or nil when there was none to remove.
    public func remove(fileId: Int, caseId: Int, at now: Date) async throws -> StoredFileRecord? {
        let changed = try await database.requireSQL().raw("""
            UPDATE files SET removed_at = \(bind: now)
            WHERE id = \(bind: fileId) AND case_id = \(bind: caseId) AND removed_at IS NULL AND task_id IS NULL RETURNING id
            """).first()
        guard changed != nil else { return nil }
        return try await StoredFileRecord.find(fileId, on: database)
    }

    /// Claims (cases with claim details) that have inspection or settlement reports never shared.
    /// Driven by the claims, each looked up in its own files (`files_case`), so the round never
    /// reads the files of cases that are not claims.
    public func casesWithUnsharedReports() async throws -> [Int] {
        struct Row: Decodable { var caseId: Int }
        return try await database.requireSQL().raw("""
            SELECT d.case_id FROM claim_details d
            WHERE EXISTS (SELECT 1 FROM files f WHERE f.case_id = d.case_id AND f.is_shared = \(false)
              AND f.shared_at IS NULL AND f.removed_at IS NULL AND f.task_id IS NULL
              AND f.category IN (\(binds: Self.reportCategories.map(\.rawValue))))
            ORDER BY d.case_id
            """).all(decoding: Row.self, with: .init(keyDecodingStrategy: .convertFromSnakeCase)).map(\.caseId)
    }

    /// The case's reports of these categories that were never shared, oldest first.
    public func unsharedReports(caseId: Int, categories: Set<CaseDocumentCategory>) async throws -> [DueReport] {
        guard !categories.isEmpty else { return [] }
        struct Row: Decodable { var id: Int; var caseId: Int; var category: String; var title: String?; var originalName: String }
        let rows = try await database.requireSQL().raw("""
            SELECT f.id, f.case_id, f.category, f.title, f.original_name FROM files f
            WHERE f.case_id = \(bind: caseId) AND f.is_shared = \(false) AND f.shared_at IS NULL
              AND f.removed_at IS NULL AND f.task_id IS NULL AND f.category IN (\(binds: categories.map(\.rawValue).sorted()))
            ORDER BY f.id
            """).all(decoding: Row.self, with: .init(keyDecodingStrategy: .convertFromSnakeCase))
        return rows.compactMap { row in
            guard let category = CaseDocumentCategory(rawValue: row.category) else { return nil }
            let title = row.title?.trimmingCharacters(in: .whitespaces) ?? ""
            return DueReport(fileId: row.id, caseId: row.caseId, category: category, name: title.isEmpty ? row.originalName : title)
        }
    }

    static let reportCategories: [CaseDocumentCategory] = [.inspectionReport, .settlementReport]
}
