import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 16, point 4: a member of staff signs in through the company's OpenID Connect provider. The web
/// has already checked the ID token (signature, issuer, audience, times, nonce); this decides who it
/// is. Staff are matched by the token's issuer and subject (`staff_identities`), never by e-mail
/// address. An unknown person gets an account only when the operator allows it, and only when no
/// account has their address (an existing password account is not taken over by whoever holds that
/// address at the provider). With a group mapping configured the role follows the groups at every
/// login, and someone in none of the mapped groups is refused. Every outcome is an audit line.
public enum StaffSSOSignIn {
    public struct Identity: Sendable {
        public var issuer: String
        public var subject: String
        public var email: String?
        public var name: String?
        public var groups: [String]
        public init(issuer: String, subject: String, email: String?, name: String?, groups: [String]) {
            self.issuer = issuer
            self.subject = subject
            self.email = email
            self.name = name
            self.groups = groups
        }
    }

    /// The operator's choices (CASEPORT_OIDC_*).
    public struct Policy: Sendable {
        public var createAccounts: Bool
        public var adminGroups: [String]
        public var handlerGroups: [String]
        public init(createAccounts: Bool, adminGroups: [String], handlerGroups: [String]) {
            self.createAccounts = createAccounts
            self.adminGroups = adminGroups
            self.handlerGroups = handlerGroups
        }

        var mapsGroups: Bool { !adminGroups.isEmpty || !handlerGroups.isEmpty }

        /// The role the groups give; nil when a mapping exists and none of its groups is there.
        func role(for groups: [String]) -> StaffRole? {
            if groups.contains(where: adminGroups.contains) { return .admin }
            if groups.contains(where: handlerGroups.contains) { return .handler }
            return mapsGroups ? nil : .handler
        }
    }

    public enum Refusal: String, Sendable, Equatable {
        case unknown = "sso_error_unknown"
        case noRole = "sso_error_no_role"
        case inactive = "login_error_inactive"
        case emailTaken = "sso_error_email_taken"
        case noEmail = "sso_error_no_email"
        public var messageKey: String { rawValue }
    }

    public enum Result: Sendable, Equatable {
        case signedIn(staffId: Int)
        case refused(Refusal)
    }

    public static func run(_ identity: Identity, policy: Policy, passwords: any PasswordHashing,
                           in context: OperationContext) async throws -> Result {
        let db = context.database, now = context.now
        let subjectText = "sso \(identity.issuer) \(identity.subject)".prefix(250)
        let typed = AuditActor.anonymous(typed: String(subjectText.prefix(200)))
        let role = policy.role(for: identity.groups)
        if let link = try await StaffIdentityRecord.query(on: db).filter(\.$issuer == identity.issuer)
            .filter(\.$subject == identity.subject).first() {
            guard let user = try await StaffUserRecord.find(link.staffId, on: db) else {
                return try await refuse(.unknown, typed, String(subjectText), context)
            }
            let account = AuditActor.staff(id: user.id, name: user.name)
            guard user.isActive else { return try await refuse(.inactive, account, "staff user \(link.staffId)", context) }
            guard let role else { return try await refuse(.noRole, account, "staff user \(link.staffId)", context) }
            try await db.transaction { tx in
                if policy.mapsGroups, user.role != role {
                    // The last active administrator keeps the role (D1), whatever the provider's groups say.
                    let otherAdmins = try await StaffUserRecord.query(on: tx).filter(\.$role == .admin)
                        .filter(\.$isActive == true).filter(\.$id != link.staffId).count()
                    if role == .admin || otherAdmins > 0 {
                        try await context.audit(.roleChanged, by: account, subject: "staff user \(link.staffId)",
                                                details: "role: \(user.role.rawValue) → \(role.rawValue) (provider groups)", on: tx)
                        user.role = role
                    }
                }
                user.lastLoginAt = now
                try await user.save(on: tx)
                link.lastLoginAt = now.timeIntervalSince1970
                try await link.save(on: tx)
                try await context.audit(.loginSucceeded, by: account, subject: "staff user \(link.staffId)",
                                        details: "single sign-on", on: tx)
            }
            return .signedIn(staffId: link.staffId)
        }

        guard policy.createAccounts else { return try await refuse(.unknown, typed, String(subjectText), context) }
        guard let role else { return try await refuse(.noRole, typed, String(subjectText), context) }
        guard let email = identity.email?.trimmed, EmailAddress.isValid(email) else {
            return try await refuse(.noEmail, typed, String(subjectText), context)
        }
        if try await StaffUserRecord.query(on: db).filter(\.$emailKey == LoginKey.fold(email)).first() != nil {
            return try await refuse(.emailTaken, typed, String(subjectText), context)
        }
        // A password nobody holds: the account signs in through the provider (an admin may set one later).
        let hash = try await passwords.hash(UUID().uuidString + UUID().uuidString)
        let name = identity.name?.trimmed.nonEmpty ?? email
        let staffId: Int = try await db.transaction { tx in
            let user = StaffUserRecord(email: email, name: String(name.prefix(200)), role: role, passwordHash: hash)
            user.lastLoginAt = now
            try await user.create(on: tx)
            let id = try user.requireID()
            let link = StaffIdentityRecord()
            link.staffId = id
            link.issuer = identity.issuer
            link.subject = identity.subject
            link.createdAt = now.timeIntervalSince1970
            link.lastLoginAt = now.timeIntervalSince1970
            try await link.create(on: tx)
            let account = AuditActor.staff(id: id, name: user.name)
            try await context.audit(.accessChanged, by: account, subject: "staff user \(id)",
                                    details: "account created at first single sign-on (\(identity.issuer)), role \(role.rawValue)", on: tx)
            try await context.audit(.loginSucceeded, by: account, subject: "staff user \(id)", details: "single sign-on", on: tx)
            return id
        }
        return .signedIn(staffId: staffId)
    }

    /// The provider's answer was refused before anyone was identified (bad token, wrong state …): an
    /// audit line all the same, so an attack on the login shows in the log.
    public static func recordRefusedToken(reason: String, in context: OperationContext) async throws {
        try await context.audit(.loginFailed, by: .anonymous(typed: "single sign-on"), subject: "staff login",
                                details: "single sign-on: \(reason)", on: context.database)
    }

    private static func refuse(_ refusal: Refusal, _ actor: AuditActor, _ subject: String,
                               _ context: OperationContext) async throws -> Result {
        try await context.audit(.loginFailed, by: actor, subject: subject, details: "single sign-on: \(refusal.rawValue)",
                                on: context.database)
        return .refused(refusal)
    }
}

private extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
