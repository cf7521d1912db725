import CaseportCore
import CaseportStore
import FluentKit

/// D1: an administrator edits a staff account: name, e-mail, role, active, a new password, a fresh
/// set-password link. The back office keeps one active administrator and nobody deactivates
/// themself (`StaffAccountRule`, counted inside the transaction). Role, activity and other changes
/// are separate audit lines (E5); deactivating or setting a password ends the account's sessions.
public enum UpdateStaffUser {
    public typealias Field = StaffAccountField

    public struct Input: Sendable {
        public var staffUserId: Int
        public var name: String
        public var email: String
        /// A `StaffRole` raw value as posted.
        public var role: String
        public var isActive: Bool
        /// Empty keeps the password.
        public var password: String
        public var passwordConfirm: String
        /// Asked only when administrators change their own password.
        public var currentPassword: String
        public var sendLink: Bool
        /// The administrator's language, which a link's e-mail is written in.
        public var language: Language
        /// Issue 13: the mobile number (empty: none); nil leaves it as it is.
        public var mobile: String?

        public init(staffUserId: Int, name: String, email: String, role: String, isActive: Bool, password: String,
                    passwordConfirm: String, currentPassword: String, sendLink: Bool, language: Language, mobile: String? = nil) {
            self.mobile = mobile
            self.staffUserId = staffUserId
            self.name = name
            self.email = email
            self.role = role
            self.isActive = isActive
            self.password = password
            self.passwordConfirm = passwordConfirm
            self.currentPassword = currentPassword
            self.sendLink = sendLink
            self.language = language
        }
    }

    public struct Updated: Sendable, Equatable {
        /// Administrators who set their own password: every session ended, so the web starts a new one.
        public var ownPasswordChanged: Bool
    }

    public static func run(_ input: Input, by actor: StaffActor, passwords: any PasswordHashing,
                           in context: OperationContext) async throws -> Outcome<Updated, Field> {
        let db = context.database
        guard let target = try await StaffUserRecord.find(input.staffUserId, on: db) else { throw OperationError.notFound }
        let name = input.name.trimmed, email = input.email.trimmed, password = input.password
        var problems = try await StaffAccountChecks.check(name: name, email: email, role: input.role, password: password,
                                                          confirmation: input.passwordConfirm, target: target, on: db)
        let role = StaffRole(rawValue: input.role) ?? target.role
        let willBeActive = input.isActive
        let isSelf = target.id == actor.staffId
        // Changing one's own password asks for the current one (a borrowed session cannot take the account).
        if isSelf, !password.isEmpty, problems[.password] == nil {
            let current = String(input.currentPassword.prefix(InputLimits.password))
            let matches = current.isEmpty ? false : try await passwords.verify(current, against: target.passwordHash)
            if !matches { problems.add(.currentPassword, "password_current_wrong") }
        }
        let mobile = input.mobile.map { ClaimPhoneCheck.mobile($0, into: &problems) } ?? target.mobile
        guard problems.isEmpty else { return .problems(problems) }
        let hash = password.isEmpty ? nil : try await passwords.hash(password)
        let sendLink = input.sendLink && willBeActive, language = input.language
        let targetId = try target.requireID()
        let broken: StaffAccountRule.Problem? = try await db.transaction { tx -> StaffAccountRule.Problem? in
            // Counted inside the transaction, so two admins demoting each other cannot both pass.
            let others = try await StaffUserRecord.query(on: tx).filter(\.$role == .admin).filter(\.$isActive == true)
                .filter(\.$id != targetId).count()
            if let problem = StaffAccountRule.problem(
                isSelf: isSelf, willBeActive: willBeActive, wasActiveAdmin: target.role == .admin && target.isActive,
                staysActiveAdmin: role == .admin && willBeActive, otherActiveAdmins: others) {
                return problem
            }
            var changes = ChangeList()
            changes.compare("name", target.name, name)
            changes.compare("email", target.email, email)
            changes.compare("mobile", target.mobile ?? "", mobile ?? "")
            if hash != nil { changes.note("password set") }
            let previousRole = target.role, activeChanged = target.isActive != willBeActive
            target.name = name
            target.email = email
            target.emailKey = LoginKey.fold(email)
            target.role = role
            target.isActive = willBeActive
            target.mobile = mobile
            if let hash { target.passwordHash = hash }
            try await target.update(on: tx)
            let subject = StaffAccountChecks.subject(of: target)
            let audit = { (action: AuditAction, details: String) in
                try await context.audit(action, by: actor.auditActor, subject: subject, details: details, on: tx)
            }
            if previousRole != role { try await audit(.roleChanged, "\(previousRole.rawValue) → \(role.rawValue)") }
            if activeChanged { try await audit(.accessChanged, willBeActive ? "reactivated" : "deactivated") }
            if let details = changes.text { try await audit(.masterDataChanged, details) }
            // A password set here voids older set-password links (one sent below stays valid).
            if hash != nil { try await StaffAccountTokens(database: tx).voidAll(staffUserId: targetId) }
            if sendLink {
                try await Notifications.queueStaffPasswordLink(context.notifications, to: target, language: language, on: tx)
                try await audit(.accessChanged, "set-password link sent")
            }
            return nil
        }
        if let broken {
            problems.add(broken == .selfDeactivation ? .isActive : .role, broken.rawValue)
            return .problems(problems)
        }
        if !target.isActive || hash != nil {
            try await Sessions(database: db).endAll(realm: .staff, userId: targetId)
        }
        return .done(Updated(ownPasswordChanged: isSelf && hash != nil))
    }
}
