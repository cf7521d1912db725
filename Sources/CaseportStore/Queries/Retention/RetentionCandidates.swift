import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// E3: which closed cases are due for which kinds of removal. A case is a candidate for a kind when it
/// is closed, not on legal hold, closed at least the rule's days ago, and not cleared of that kind since
/// it last closed. The dry run and the real run read the same function, so their counts agree.
///
/// "Closed at" is the time of the case's last status event (the change to `closed`, since the status
/// is closed now); a case without events (demo and benchmark data write none) counts from `updated_at`.
public enum RetentionCandidates {
    public struct Candidate: Sendable, Equatable {
        public var caseId: Int
        public var number: Int
        public var subject: String
        public var closedAt: Date
        /// The kinds and actions due now, in `Kind.allCases` order.
        public var due: [RetentionPolicy.Kind: RetentionPolicy.Action]
    }

    /// One keyset page of closed, unheld cases after `afterId`; `due` is empty for those with nothing due.
    public static func page(policy: RetentionPolicy, now: Date, afterId: Int, limit: Int = 500,
                            on database: any Database) async throws -> (candidates: [Candidate], lastId: Int?) {
        let sql = try database.requireSQL()
        let rows = try await sql.raw("""
            SELECT c.id, c.number, c.subject, c.updated_at, c.retention_contacts_at, c.retention_texts_at,
                   c.retention_files_at, c.retention_chat_at,
                   (SELECT COUNT(*) FROM chat_conversations cc WHERE cc.case_id = c.id) AS chats,
                   (SELECT MAX(e.at) FROM case_events e WHERE e.case_id = c.id AND e.kind = \(bind: CaseEvent.Kind.statusChanged.rawValue)) AS closed_event
            FROM cases c
            WHERE c.status = \(bind: CaseStatus.closed.rawValue) AND c.legal_hold_at IS NULL AND c.id > \(bind: afterId)
            ORDER BY c.id LIMIT \(literal: limit)
            """).all()
        var result: [Candidate] = []
        var lastId: Int?
        for row in rows {
            let id = try row.decode(column: "id", as: Int.self)
            lastId = id
            let closedAt = try row.decodeOptional(column: "closed_event", as: Date.self) ?? row.decode(column: "updated_at", as: Date.self)
            var due: [RetentionPolicy.Kind: RetentionPolicy.Action] = [:]
            // Chat is due only on a case that has a chat attached (issue 15): nothing else to clear.
            let hasChat = try row.decode(column: "chats", as: Int.self) > 0
            for (kind, rule) in policy.active where kind != .chat || hasChat {
                guard closedAt.addingTimeInterval(TimeInterval(rule.days) * 86_400) <= now else { continue }
                let cleared = try row.decode(column: column(of: kind), as: Double?.self)
                if let cleared, cleared >= closedAt.timeIntervalSince1970 { continue }
                due[kind] = rule.action
            }
            if !due.isEmpty {
                result.append(Candidate(caseId: id, number: try row.decode(column: "number", as: Int.self),
                                        subject: try row.decode(column: "subject", as: String.self), closedAt: closedAt, due: due))
            }
        }
        return (result, lastId)
    }

    /// The `cases` column that remembers when a kind was last cleared (M029).
    static func column(of kind: RetentionPolicy.Kind) -> String {
        switch kind {
        case .contactDetails: return "retention_contacts_at"
        case .messageTexts: return "retention_texts_at"
        case .files: return "retention_files_at"
        case .chat: return "retention_chat_at"
        }
    }
}
