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
        public init(caseNumber: Int, answer: Answer, language: Language) {
            self.caseNumber = caseNumber
            self.answer = answer
            self.language = language
        }
    }

    public enum Field: Hashable, Sendable { case comment }

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
        let author = CaseConversation.Author(kind: .customer, userId: actor.userId, name: actor.name)
        let approval = CaseApproval(database: context.database)
        do {
            switch input.answer {
            case .approved:
                try await approval.approve(caseId: detail.id, author: author,
                                           message: context.notifications.text("approval_approved_message", in: language),
                                           at: context.now)
                return .done(.approved(caseNumber: detail.number))
            case .notOK(let raw):
                let comment = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                var problems = Problems<Field>()
                if comment.isEmpty { problems.add(.comment, "approval_comment_required") }
                if comment.count > InputLimits.message { problems.add(.comment, ProblemKey.tooLong) }
                guard problems.isEmpty else { return .problems(problems) }
                let body = Notifications.fill(context.notifications.text("approval_rejected_message", in: language),
                                              ["comment": comment])
                let notifications = try await Notifications.toHandler(context.notifications, caseId: detail.id,
                                                                      notice: .customerMessage, author: actor.name,
                                                                      text: body, on: context.database)
                try await approval.reject(caseId: detail.id, author: author, message: body, notifications: notifications,
                                          at: context.now)
                return .done(.rejected(caseNumber: detail.number))
            }
        } catch CaseApproval.Failure.notAwaitingApproval {
            return .done(.notAwaiting(caseNumber: detail.number))
        }
    }
}
