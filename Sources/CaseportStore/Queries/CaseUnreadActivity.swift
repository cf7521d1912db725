import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// D4 (IN seed: "a yellow box on the case explaining what needs doing"): what the customer sent
/// since the back office last marked the case read — their messages and their uploads, oldest first.
public struct CaseUnreadActivity: Sendable {
    /// A customer upload not yet marked read: what the yellow box names.
    public struct File: Sendable, Equatable {
        public var id: Int
        public var originalName: String
        public var createdAt: Date
    }

    public var messages: [CaseMessageRecord]
    public var files: [File]

    public var isEmpty: Bool { messages.isEmpty && files.isEmpty }

    /// Nothing when the case has no unread activity. An upload also writes a "file uploaded" line
    /// as the customer; that line is named by its file, not again as a message. Plain SQL read by column
    /// (issue 17, session 13: the staff case page reads this on most views).
    public static func load(for facts: StaffCaseFacts, on database: any Database) async throws -> CaseUnreadActivity {
        guard facts.hasUnreadActivity else { return CaseUnreadActivity(messages: [], files: []) }
        let caseId = facts.id
        let sql = try database.requireSQL()
        let since: SQLQueryString = facts.staffReadAt.map { "AND created_at > \(bind: Date(timeIntervalSince1970: $0))" } ?? ""
        let files = try await sql.raw("""
            SELECT id, original_name, created_at FROM files
            WHERE case_id = \(bind: caseId) AND uploaded_by_staff_id IS NULL AND removed_at IS NULL \(since)
            ORDER BY created_at, id
            LIMIT \(literal: 50)
            """).all().map {
            File(id: try $0.decode(column: "id", as: Int.self), originalName: try $0.decode(column: "original_name", as: String.self),
                 createdAt: try $0.decode(column: "created_at", as: Date.self))
        }
        let uploadTimes = Set(files.map(\.createdAt))
        let messages = try await sql.raw("""
            SELECT id, case_id, author_kind, author_user_id, author_staff_id, author_person_id, author_name, body,
                   is_internal, created_at, text_key, text_params
            FROM case_messages
            WHERE case_id = \(bind: caseId) AND author_kind = \(bind: MessageAuthorKind.customer.rawValue)
              AND is_internal = \(false) \(since)
            ORDER BY created_at, id
            LIMIT \(literal: 50)
            """).all().map(CaseMessageRecord.init(row:))
            .filter { !uploadTimes.contains($0.createdAt) }
        return CaseUnreadActivity(messages: messages, files: files)
    }
}
