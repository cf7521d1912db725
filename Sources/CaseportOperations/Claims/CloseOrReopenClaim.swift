import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D3 (seed 002): closing a claim with a comment, or reopening it with a reason. The status change is
/// the case's ordinary one (`statusChanged`, which the customer's feed shows as "closed" /
/// "reopened"); the comment or reason is an internal note in the same transaction, so the customer
/// never reads it.
public enum CloseOrReopenClaim {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var expectedVersion: Int
        /// `.closed` or `.reopened`.
        public var next: CaseStatus
        public var comment: String
        /// The staff member's language, for the note's text as stored (each reader reads it in theirs).
        public var language: Language
        public init(caseNumber: Int, expectedVersion: Int, next: CaseStatus, comment: String, language: Language) {
            self.caseNumber = caseNumber
            self.expectedVersion = expectedVersion
            self.next = next
            self.comment = comment
            self.language = language
        }
    }

    public enum Field: String, Hashable, Sendable { case comment = "status_comment" }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let (record, _) = try await ClaimSupport.claim(number: input.caseNumber, in: context)
        guard input.next == .closed || input.next == .reopened else { throw OperationError.notAllowedNow }
        guard record.status.canMove(to: input.next) else { throw OperationError.notAllowedNow }
        var problems = Problems<Field>()
        let comment = ClaimSupport.optional(input.comment)
        ClaimSupport.checkText(comment, limit: InputLimits.message, field: .comment, into: &problems)
        guard problems.isEmpty else { return .problems(problems) }
        let caseId = try record.requireID(), now = context.now
        let key = input.next == .closed ? "claims_note_closed" : "claims_note_reopened"
        try await context.database.transaction { tx in
            var inner = context
            inner.database = tx
            _ = try await ChangeCaseStatus.run(.init(caseNumber: record.number, expectedVersion: input.expectedVersion, next: input.next),
                                               by: actor, in: inner)
            guard let comment else { return }
            let template = context.notifications.text(key, in: input.language)
            let body = template.contains("{comment}") ? template.replacingOccurrences(of: "{comment}", with: comment) : comment
            _ = try await CaseConversation.insert(caseId: caseId, author: .init(kind: .staff, staffId: actor.staffId, name: actor.name),
                                                  body: body, isInternal: true, at: now,
                                                  text: MessageText(key, ["comment": comment]), on: tx)
            try await CaseEvents.append(.internalNote, caseId: caseId, by: actor.eventActor, at: now, on: tx)
        }
        return .done(record.number)
    }
}
