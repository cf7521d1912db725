import CaseportCore
import CaseportStore
import Fluent
import Foundation
import Vapor

/// A chat attached to a case, as the case page shows it: for staff every line (staff-only notes
/// marked), for the customer the lines they saw in the chat (never staff notes). Text is escaped by
/// Leaf like every other value.
struct CaseChatView: Encodable {
    struct Line: Encodable {
        var author: String
        var kind: String
        var body: String
        var at: String
        var staffOnly: Bool
    }

    var id: Int
    var title: String
    var startedAt: String
    var lines: [Line]

    static func load(_ request: Request, caseId: Int, forStaff: Bool) async throws -> [CaseChatView] {
        let chats = Chats(database: request.database)
        let language = request.language
        var views: [CaseChatView] = []
        for conversation in try await chats.attachedSummaries(caseId: caseId) {
            let id = conversation.id
            let lines = try await chats.messages(conversationId: id, includeStaffOnly: forStaff, limit: 1_000).map {
                Line(author: $0.authorKind == .system ? request.t("message_system_author") : $0.authorName,
                     kind: $0.authorKind.rawValue, body: $0.body, at: language.formatDateTime($0.createdAt),
                     staffOnly: $0.staffOnly)
            }
            if lines.isEmpty && !forStaff { continue }
            views.append(CaseChatView(id: id, title: request.t("case_chat_with").replacingOccurrences(of: "{name}", with: conversation.visitorName),
                                      startedAt: language.formatDateTime(conversation.createdAt), lines: lines))
        }
        return views
    }
}
