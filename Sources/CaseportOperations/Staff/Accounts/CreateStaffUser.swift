import CaseportCore
import CaseportStore
import FluentKit

/// D1: an administrator adds a staff account, with an initial password under the rule or a
/// set-password link by e-mail (or both). The creation is an access change in the audit log (E5).
public enum CreateStaffUser {
    public typealias Field = StaffAccountField

    public struct Input: Sendable {
        public var name: String
        public var email: String
        /// A `StaffRole` raw value as posted.
        public var role: String
        public var password: String
        public var passwordConfirm: String
        public var sendLink: Bool
        /// The administrator's language, which the link's e-mail is written in.
        public var language: Language
        /// Issue 13: the mobile number (empty: none).
        public var mobile: String

        public init(name: String, email: String, role: String, password: String, passwordConfirm: String, sendLink: Bool,
                    language: Language, mobile: String = "") {
            self.mobile = mobile
            self.name = name
            self.email = email
            self.role = role
            self.password = password
            self.passwordConfirm = passwordConfirm
            self.sendLink = sendLink
            self.language = language
        }
    }

    /// - Throws: `OperationError.stale` when someone took the e-mail address between the check and the write.
    public static func run(_ input: Input, by actor: StaffActor, passwords: any PasswordHashing,
                           in context: OperationContext) async throws -> Outcome<Int, Field> {
        let db = context.database
        let name = input.name.trimmed, email = input.email.trimmed
        var problems = try await StaffAccountChecks.check(name: name, email: email, role: input.role, password: input.password,
                                                          confirmation: input.passwordConfirm, target: nil, on: db)
        if input.password.isEmpty && !input.sendLink { problems.set(.password, "staff_users_error_password_or_link") }
        let mobile = ClaimPhoneCheck.mobile(input.mobile, into: &problems)
        guard problems.isEmpty else { return .problems(problems) }
        // With a link and no password, the account gets the hash of a random secret until the link is used.
        let hash = try await passwords.hash(input.password.isEmpty ? Sessions.newToken() : input.password)
        let role = StaffRole(rawValue: input.role) ?? .handler
        let user = StaffUserRecord(email: email, name: name, role: role, passwordHash: hash)
        user.mobile = mobile
        let sendLink = input.sendLink, language = input.language
        do {
            try await db.transaction { tx in
                try await user.create(on: tx)
                try await context.audit(.accessChanged, by: actor.auditActor, subject: StaffAccountChecks.subject(of: user),
                                        details: "created, role: \(role.rawValue)\(sendLink ? ", set-password link sent" : "")", on: tx)
                if sendLink { try await Notifications.queueStaffPasswordLink(context.notifications, to: user, language: language, on: tx) }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw OperationError.stale
        }
        return .done(try user.requireID())
    }
}
