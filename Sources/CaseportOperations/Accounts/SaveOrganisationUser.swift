import CaseportCore
import CaseportStore
import FluentKit

/// A9: a customer administrator adds or edits a user of their organisation (name, login, contact
/// details, password, administrator/shared/active flags, "send login details"); in a one-user
/// organisation the user edits itself. Access changes are audit lines (E5); login details are a
/// one-time set-password link in the outbox, never the password.
public enum SaveOrganisationUser {
    public struct Input: Sendable {
        /// nil adds a user.
        public var userId: Int?
        public var firstName = "", lastName = "", username = "", email = "", phone = ""
        /// Empty keeps the password (edit) or, for a new user, leaves it unusable until the link is used.
        public var password = "", passwordConfirm = ""
        /// Asked for when users change their own password.
        public var currentPassword = ""
        public var isAdmin = false, isShared = false, isActive = true
        public var sendLoginDetails = false
        /// The administrator's language: the mail's, for a user who has not chosen one.
        public var language: Language
        /// A new user only: a register contact without a login that gets this one (issue 11 point 10);
        /// the contact keeps its own links (`OrganisationContacts.withoutLogin` decides who qualifies).
        public var contactId: Int?
        /// A new user only: which of the administrator's own links the new user's contact gets. nil gives
        /// all of them; anything outside them is a problem — a new user never reaches more than the
        /// administrator who added them.
        public var links: ChosenLinks?

        public init(userId: Int?, language: Language) {
            self.userId = userId
            self.language = language
        }
    }

    public enum Field: String, Hashable, Sendable {
        case firstName = "first_name", lastName = "last_name", username, email, phone
        case password, passwordConfirm = "password_confirm", currentPassword = "current_password"
        case links
    }

    public struct ChosenLinks: Sendable, Equatable {
        public var customerIds: Set<Int>
        public var objectIds: Set<Int>
        public init(customerIds: Set<Int>, objectIds: Set<Int>) {
            self.customerIds = customerIds
            self.objectIds = objectIds
        }
    }

    public struct Saved: Sendable, Equatable {
        public var userId: Int
        public var created: Bool
        /// The organisation has no user list: the page to return to is the user's own.
        public var singleUser: Bool
        /// Users changed their own password: every session of the account ended, this browser needs a new one.
        public var restartSession: Bool
    }

    public static func run(_ input: Input, by actor: PortalActor, passwords: any PasswordHashing,
                           in context: OperationContext) async throws -> Outcome<Saved, Field> {
        let admin = try await PortalUserAdmin.of(actor, on: context.database)
        if let userId = input.userId {
            return try await edit(try await admin.target(userId, on: context.database), input, admin: admin,
                                  passwords: passwords, in: context)
        }
        guard admin.mayAdd else { throw OperationError.notFound }
        return try await add(input, admin: admin, passwords: passwords, in: context)
    }

    static func add(_ input: Input, admin: PortalUserAdmin, passwords: any PasswordHashing,
                    in context: OperationContext) async throws -> Outcome<Saved, Field> {
        var problems = try await check(input, admin: admin, target: nil, on: context.database)
        // A register contact that gets a login: only one the administrator may manage (else not found).
        var existing: ContactRecord?
        if let contactId = input.contactId {
            existing = try await OrganisationContacts.contactWithoutLogin(contactId, for: admin, on: context.database)
        }
        // The new contact's links: a subset of the administrator's own, never more (issue 11 point 10).
        let own = try await OrganisationContacts.links(of: admin, on: context.database)
        let ownCustomers = Set(own.customers.map(\.id)), ownObjects = Set(own.objects.map(\.id))
        let chosen = input.links ?? ChosenLinks(customerIds: ownCustomers, objectIds: ownObjects)
        if existing == nil, !chosen.customerIds.isSubset(of: ownCustomers) || !chosen.objectIds.isSubset(of: ownObjects) {
            problems.add(.links, ProblemKey.chooseFromList)
        }
        guard problems.isEmpty else { return .problems(problems) }
        // Without a password typed, the account gets an unusable random one until the link is used.
        let hash = try await passwords.hash(input.password.isEmpty ? Sessions.newToken() : input.password)
        let adminContact = admin.administrator.contactId, organisation = admin.organisation
        let existingContact = existing, chosenLinks = chosen
        let userId = try await context.database.transaction { tx -> Int in
            let existing = existingContact, chosen = chosenLinks
            var contactId = existing?.id
            if existing == nil, adminContact != nil {
                // A contact of its own, with the links the administrator chose among theirs.
                let contact = ContactRecord(firstName: input.firstName.trimmed, lastName: input.lastName.trimmed,
                                            email: input.email.trimmed.nilIfEmpty, phone: input.phone.trimmed.nilIfEmpty)
                try await contact.create(on: tx)
                contactId = contact.id
                for customerId in chosen.customerIds.sorted() {
                    try await ContactCustomerLink(contactId: try contact.requireID(), customerId: customerId).create(on: tx)
                }
                for objectId in chosen.objectIds.sorted() {
                    try await ContactObjectLink(contactId: try contact.requireID(), objectId: objectId).create(on: tx)
                }
            }
            let user = PortalUserRecord(
                organisationId: admin.organisationId, username: input.username.trimmed, loginKind: .contact,
                contactId: contactId, firstName: input.firstName.trimmed, lastName: input.lastName.trimmed,
                email: input.email.trimmed.nilIfEmpty, phone: input.phone.trimmed.nilIfEmpty, passwordHash: hash,
                isAdmin: input.isAdmin, isShared: input.isShared, isActive: input.isActive)
            try await user.create(on: tx)
            try await context.audit(
                .accessChanged, by: admin.auditActor,
                subject: "portal user \(try user.requireID()) \(organisation.customerNumber)/\(user.username)",
                details: "created by the customer's administrator\(user.isAdmin ? ", administrator" : "")\(user.isActive ? "" : ", inactive")\(existing != nil ? ", for register contact \(contactId ?? 0)" : "")",
                on: tx)
            if input.sendLoginDetails, let email = user.email {
                try await LoginDetails.queue(user: user, email: email, organisation: organisation, language: input.language,
                                            in: context, on: tx)
            }
            return try user.requireID()
        }
        return .done(Saved(userId: userId, created: true, singleUser: admin.singleUser, restartSession: false))
    }

    static func edit(_ target: PortalUserRecord, _ posted: Input, admin: PortalUserAdmin, passwords: any PasswordHashing,
                     in context: OperationContext) async throws -> Outcome<Saved, Field> {
        var adjusted = posted
        let isSelf = admin.isSelf(target)
        if isSelf {
            // Nobody can lock themselves out: their own admin and active flags stay as they are.
            adjusted.isAdmin = target.isAdmin
            adjusted.isActive = true
        }
        if !admin.isAdmin {
            adjusted.isAdmin = target.isAdmin
            adjusted.isShared = target.isShared
        }
        let input = adjusted
        var problems = try await check(input, admin: admin, target: target, on: context.database)
        let password = input.password
        // Changing one's own password asks for the current one (a borrowed session cannot take the account).
        if isSelf, !password.isEmpty, problems[.password] == nil {
            let current = String(input.currentPassword.prefix(InputLimits.password))
            let matches = current.isEmpty ? false : try await passwords.verify(current, against: target.passwordHash)
            if !matches { problems.set(.currentPassword, "password_current_wrong") }
        }
        guard problems.isEmpty else { return .problems(problems) }

        let wasAdmin = target.isAdmin, wasActive = target.isActive
        target.firstName = input.firstName.trimmed
        target.lastName = input.lastName.trimmed
        target.username = input.username.trimmed
        target.usernameKey = LoginKey.fold(target.username)
        target.email = input.email.trimmed.nilIfEmpty
        target.phone = input.phone.trimmed.nilIfEmpty
        target.isAdmin = input.isAdmin
        target.isShared = input.isShared
        target.isActive = input.isActive
        if !password.isEmpty {
            target.passwordHash = try await passwords.hash(password)
        }
        var access: [String] = []
        if wasActive != target.isActive { access.append(target.isActive ? "reactivated" : "deactivated") }
        if wasAdmin != target.isAdmin { access.append(target.isAdmin ? "made administrator" : "no longer administrator") }
        if !password.isEmpty, !isSelf { access.append("password set by the customer's administrator") }
        let accessChanges = access, organisation = admin.organisation, targetId = try target.requireID()
        try await context.database.transaction { tx in
            try await target.update(on: tx)
            if !password.isEmpty {
                // A new password voids the account's older set-password links (a link sent below stays valid).
                try await AccountTokens(database: tx).voidAll(userId: targetId, purpose: "set_password", now: context.now)
            }
            if !accessChanges.isEmpty {
                try await context.audit(.accessChanged, by: admin.auditActor,
                                        subject: "portal user \(targetId) \(organisation.customerNumber)/\(target.username)",
                                        details: accessChanges.joined(separator: ", "), on: tx)
            }
            if input.sendLoginDetails, let email = target.email {
                try await LoginDetails.queue(user: target, email: email, organisation: organisation, language: input.language,
                                            in: context, on: tx)
            }
        }
        // A deactivated account, or one whose password changed, is signed out everywhere.
        if (wasActive && !target.isActive) || !password.isEmpty {
            try await Sessions(database: context.database).endAll(realm: .portal, userId: targetId)
        }
        return .done(Saved(userId: targetId, created: false, singleUser: admin.singleUser,
                           restartSession: isSelf && !password.isEmpty))
    }

    static func check(_ input: Input, admin: PortalUserAdmin, target: PortalUserRecord?,
                      on db: any Database) async throws -> Problems<Field> {
        var problems = Problems<Field>()
        for (field, value) in [(Field.firstName, input.firstName), (.lastName, input.lastName), (.username, input.username)] {
            let value = value.trimmed
            if value.isEmpty { problems.add(field, ProblemKey.required) }
            else if value.count > InputLimits.name { problems.add(field, ProblemKey.tooLong) }
        }
        let email = input.email.trimmed
        if !email.isEmpty, !EmailAddress.isValid(email) { problems.add(.email, ProblemKey.invalidEmail) }
        if input.sendLoginDetails, email.isEmpty { problems.set(.email, "users_error_email_for_details") }
        if input.phone.count > InputLimits.phone { problems.add(.phone, ProblemKey.tooLong) }
        if problems[.username] == nil {
            let clash = try await PortalUserRecord.query(on: db).filter(\.$organisationId == admin.organisationId)
                .filter(\.$usernameKey == LoginKey.fold(input.username.trimmed)).first()
            if let clash, clash.id != target?.id { problems.add(.username, "users_error_username_taken") }
        }
        try await NewPassword.check(input.password, confirmation: input.passwordConfirm, on: db, into: &problems,
                                    password: .password, confirmation: .passwordConfirm)
        if input.password.isEmpty, target == nil, !input.sendLoginDetails {
            problems.add(.password, "users_error_password_or_details")
        }
        return problems
    }
}
