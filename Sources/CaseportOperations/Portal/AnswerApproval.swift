import CaseportCore
import CaseportStore

/// B6: the customer's answer to a resolved case. "Approved" closes it; "Not OK" needs a comment,
/// reopens the case and tells the handler. Both are refused unless the case is resolved.
public enum AnswerApproval {
    public enum Answer: Sendable, Equatable {
        case approved
        case notOK(comment: String)
    }

    public struct Input: Sendable {
        public var caseNumber: Int
        public var answer: Answer
        /// The language the customer uses; the message that records the answer is written in it.
        public var language: Language
        /// On a shared account (A8), who answers "Not OK" (a saved person of the account).
        public var author: AuthorChoice
        public init(caseNumber: Int, answer: Answer, language: Language, author: AuthorChoice = .none) {
            self.caseNumber = caseNumber
            self.answer = answer
            self.language = language
            self.author = author
        }
    }

    public enum Field: Hashable, Sendable {
        case comment
        case author(AuthorChoice.Field)
    }

    public enum Result: Sendable, Equatable {
        case approved(caseNumber: Int)
        case rejected(caseNumber: Int)
        /// The case no longer waits for an answer (answered already, or reopened by staff).
        case notAwaiting(caseNumber: Int)
    }

    public static func run(_ input: Input, by actor: PortalActor, in context: OperationContext) async throws
        -> Outcome<Result, Field> {
        let detail = try await PortalCases.find(number: input.caseNumber, for: actor, in: context)
        guard detail.status == .resolved else { return .done(.notAwaiting(caseNumber: detail.number)) }
        let language = input.language
        var author = CaseConversation.Author(kind: .customer, userId: actor.userId, name: actor.name)
        let approval = CaseApproval(database: context.database)
        do {
            switch input.answer {
            case .approved:
                // The message says what the button said: "Approved" or "Tested OK" (the case type's setting).
                let label = try await caseTypeLabel(detail, in: context)
                let key = label == .testedOK ? "approval_tested_ok_message" : "approval_approved_message"
                try await approval.approve(caseId: detail.id, author: author,
                                           message: context.notifications.text(key, in: language), at: context.now)
                return .done(.approved(caseNumber: detail.number))
            case .notOK(let raw):
                let comment = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                var problems = Problems<Field>()
                if comment.isEmpty { problems.add(.comment, "approval_comment_required") }
                if comment.count > InputLimits.message { problems.add(.comment, ProblemKey.tooLong) }
                try await input.author.check(for: actor, into: &problems, field: { .author($0) }, on: context.database)
                guard problems.isEmpty else { return .problems(problems) }
                // A8: on a shared account the chosen person is the author, not the account.
                let person = try await input.author.resolve(for: actor, on: context.database)
                author.personId = person.personId
                author.name = person.name
                let body = Notifications.fill(context.notifications.text("approval_rejected_message", in: language),
                                              ["comment": comment])
                let notifications = try await Notifications.toHandler(context.notifications, caseId: detail.id,
                                                                      notice: .customerMessage, author: author.name,
                                                                      text: body, on: context.database)
                try await approval.reject(caseId: detail.id, author: author, message: body, notifications: notifications,
                                          at: context.now)
                return .done(.rejected(caseNumber: detail.number))
            }
        } catch CaseApproval.Failure.notAwaitingApproval {
            return .done(.notAwaiting(caseNumber: detail.number))
        }
    }

    /// B6: what the approve button of this case says (its type's setting).
    public static func caseTypeLabel(_ detail: CaseDetail, in context: OperationContext) async throws -> ApprovalLabel {
        guard let typeId = detail.caseTypeId else { return .approved }
        return ApprovalLabel(stored: try await CaseTypeRecord.find(typeId, on: context.database)?.approvalLabel)
    }
}
