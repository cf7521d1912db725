import CaseportCore
import CaseportStore
import FluentKit

/// A5: self-registration, when the deployment opens it. The e-mail address is the username; the account
/// stays inactive until the address is confirmed through the e-mailed link (`ConfirmRegistration`).
///
/// An unknown organisation, or an address already registered there, is answered exactly as a
/// registration that went through (after the same bcrypt work), so the form tells nobody which
/// organisations or accounts exist; nothing is written or queued for them.
public enum RegisterAccount {
    public struct Input: Sendable {
        public var organisation = "", email = "", firstName = "", lastName = "", phone = ""
        public var password = "", passwordConfirm = ""
        /// The language the form was filled in: the account's and the mail's.
        public var language: Language

        public init(language: Language) { self.language = language }
    }

    public enum Field: String, Hashable, Sendable {
        case organisation, email, firstName = "first_name", lastName = "last_name", phone
        case password, passwordConfirm = "password_confirm"
    }

    /// What happened, for tests and logs only: the person registering always gets the same answer.
    public struct Registered: Sendable, Equatable {
        /// nil when nothing was created (unknown organisation or address already registered).
        public var userId: Int?
    }

    public static func run(_ input: Input, passwords: any PasswordHashing, in context: OperationContext) async throws
        -> Outcome<Registered, Field> {
        let db = context.database
        let settings = try await SettingsStore(database: db).load()
        guard settings.selfRegistrationOpen else { throw OperationError.notFound }
        var problems = Problems<Field>()
        let typed: [(Field, String)] = [(.organisation, input.organisation), (.email, input.email),
                                        (.firstName, input.firstName), (.lastName, input.lastName)]
        for (field, value) in typed where value.trimmed.isEmpty { problems.set(field, ProblemKey.required) }
        for (field, value) in typed + [(.phone, input.phone)] where value.count > InputLimits.name {
            problems.set(field, ProblemKey.tooLong)
        }
        let email = input.email.trimmed
        if problems[.email] == nil, !EmailAddress.isValid(email) { problems.set(.email, ProblemKey.invalidEmail) }
        // Unlike `NewPassword`, an empty password is a problem here: it breaks the policy.
        let broken = settings.passwordPolicy.problems(with: input.password).map(\.rawValue)
        if !broken.isEmpty {
            problems.add(.password, all: broken)
        } else if input.password != input.passwordConfirm {
            problems.set(.passwordConfirm, "password_mismatch")
        }
        guard problems.isEmpty else { return .problems(problems) }

        let hash = try await passwords.hash(input.password)
        guard let organisation = try await Organisations.find(input.organisation.trimmed, field: settings.organisationLoginField, on: db),
              let organisationId = organisation.id,
              try await PortalUserRecord.query(on: db).filter(\.$organisationId == organisationId)
                .filter(\.$usernameKey == LoginKey.fold(email)).first() == nil else {
            return .done(Registered(userId: nil))
        }
        let userId = try await db.transaction { tx -> Int in
            let user = PortalUserRecord(organisationId: organisationId, username: email, loginKind: .contact,
                                        firstName: input.firstName.trimmed, lastName: input.lastName.trimmed,
                                        email: email, phone: input.phone.trimmed.nilIfEmpty, passwordHash: hash,
                                        isActive: false)
            user.language = input.language.rawValue
            try await user.create(on: tx)
            let token = try await AccountTokens(database: tx).issue(userId: try user.requireID(), purpose: "activate",
                                                                    lifetime: 2 * 24 * 3_600, email: email, now: context.now)
            try await Notifications.registration(context.notifications, language: input.language, to: email,
                                                 link: "\(context.notifications.publicBaseURL)/register/confirm?token=\(token)")
                .create(on: tx)
            return try user.requireID()
        }
        return .done(Registered(userId: userId))
    }

    /// The organisation a person typed, by the field the deployment logs in with.
    enum Organisations {
        static func find(_ typed: String, field: OrganisationLoginField, on db: any Database) async throws -> CustomerRecord? {
            let key = LoginKey.fold(typed)
            return try await CustomerRecord.query(on: db).group(.or) { match in
                if field == .name || field == .any { match.filter(\.$nameKey == key) }
                if field == .shortCode || field == .any { match.filter(\.$shortCodeKey == key) }
                if field == .customerNumber || field == .any { match.filter(\.$customerNumber == typed) }
            }.first()
        }
    }
}

/// A5: the link in the registration mail. The address it went to is now proven: the account is activated
/// and linked to a register contact with that address — only one of the registration's own organisation
/// (on its customer or its objects), so nobody gains a contact's access by typing someone else's address.
public enum ConfirmRegistration {
    /// The activated account's id; `notFound` for a link that is unknown, used or expired (or when
    /// registration is closed).
    public static func run(token: String, in context: OperationContext) async throws -> Int {
        let db = context.database
        guard try await SettingsStore(database: db).load().selfRegistrationOpen else { throw OperationError.notFound }
        let now = context.now
        return try await db.transaction { tx -> Int in
            guard let redeemed = try await AccountTokens(database: tx).use(token: token, purpose: "activate", now: now),
                  let user = try await PortalUserRecord.find(redeemed.userId, on: tx) else {
                throw OperationError.notFound
            }
            if user.contactId == nil, let email = redeemed.email {
                user.contactId = try await RegistrationContacts.contact(email: email, organisationId: user.organisationId, on: tx)
            }
            user.isActive = true
            try await user.update(on: tx)
            return try user.requireID()
        }
    }
}
