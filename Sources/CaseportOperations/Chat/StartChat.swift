import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// B13: a customer or visitor starts a chat with a name and an e-mail address (a signed-in user's own
/// are filled in by the page). It waits in the staff queue. A chat starts only while a member of staff
/// is available; otherwise `OperationError.notAllowedNow`, and the page offers `LeaveChatMessage`
/// (an inquiry answered by e-mail) instead.
public enum StartChat {
    public struct Input: Sendable {
        public var name: String
        public var email: String
        public var language: Language
        public init(name: String, email: String, language: Language) {
            self.name = name
            self.email = email
            self.language = language
        }
    }

    public enum Field: Hashable, Sendable { case name, email }

    public struct Started: Sendable {
        public var conversationId: Int
        /// A new visitor token when the visitor had none (the web sets it as a cookie).
        public var newVisitorToken: String?
    }

    public static func check(name: String, email: String) -> Problems<Field> {
        var problems = Problems<Field>()
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let email = email.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { problems.add(.name, ProblemKey.required) }
        if name.count > InputLimits.name { problems.add(.name, ProblemKey.tooLong) }
        if email.isEmpty { problems.add(.email, ProblemKey.required) }
        else if !EmailAddress.isValid(email) { problems.add(.email, ProblemKey.invalidEmail) }
        return problems
    }

    public static func run(_ input: Input, by customer: ChatCustomer, in context: OperationContext) async throws
        -> Outcome<Started, Field> {
        let problems = check(name: input.name, email: input.email)
        guard problems.isEmpty else { return .problems(problems) }
        let chats = Chats(database: context.database)
        guard try await chats.anyoneAvailable() else { throw OperationError.notAllowedNow }
        var customer = customer
        var newToken: String?
        if customer.portal == nil && customer.visitorToken == nil {
            newToken = ChatCustomer.newVisitorToken()
            customer.visitorToken = newToken
        }
        let record = try await chats.start(
            visitorName: input.name.trimmingCharacters(in: .whitespacesAndNewlines),
            visitorEmail: input.email.trimmingCharacters(in: .whitespacesAndNewlines),
            portalUserId: customer.portal?.userId,
            // A signed-in user is recognised by the session; a token is kept only for visitors.
            visitorTokenHash: customer.portal == nil ? customer.visitorTokenHash : nil,
            language: input.language.rawValue, at: context.now)
        return .done(Started(conversationId: try record.requireID(), newVisitorToken: newToken))
    }
}
