import CaseportCore
import FluentKit
import Foundation

/// D4 (IN seed: "a yellow box on the case explaining what needs doing"): what the customer sent
/// since the back office last marked the case read — their messages and their uploads, oldest first.
public struct CaseUnreadActivity: Sendable {
    public var messages: [CaseMessageRecord]
    public var files: [StoredFileRecord]

    public var isEmpty: Bool { messages.isEmpty && files.isEmpty }

    /// Nothing when the case has no unread activity. An upload also writes a "file uploaded" line
    /// as the customer; that line is named by its file, not again as a message.
    public static func load(for record: CaseRecord, on database: any Database) async throws -> CaseUnreadActivity {
        guard record.hasUnreadActivity, let caseId = record.id else { return CaseUnreadActivity(messages: [], files: []) }
        let since = record.staffReadAt.map { Date(timeIntervalSince1970: $0) }
        let messageQuery = CaseMessageRecord.query(on: database).filter(\.$caseId == caseId)
            .filter(\.$authorKind == .customer).filter(\.$isInternal == false)
        let fileQuery = StoredFileRecord.query(on: database).filter(\.$caseId == caseId)
            .filter(\.$uploadedByStaffId == nil).filter(\.$removedAt == nil)
        if let since {
            messageQuery.filter(\.$createdAt > since)
            fileQuery.filter(\.$createdAt > since)
        }
        let files = try await fileQuery.sort(\.$createdAt).sort(\.$id).limit(50).all()
        let uploadTimes = Set(files.map(\.createdAt))
        let messages = try await messageQuery.sort(\.$createdAt).sort(\.$id).limit(50).all()
            .filter { !uploadTimes.contains($0.createdAt) }
        return CaseUnreadActivity(messages: messages, files: files)
    }
}
