import CaseportCore
import CaseportStore
import FluentKit

/// D6/A9: staff add or edit a portal user of any customer: organisation by customer number, login kind
/// with its contact or object, flags, a password or login details with a set-password link. Access
/// changes (kind, links, flags, activity, password) are audit lines of their own (E5); deactivating or
/// setting a password ends the user's sessions.
public enum SavePortalUser {
    public struct Input: Sendable {
        /// nil adds a new portal user.
        public var userId: Int?
        /// The customer number of the user's organisation.
        public var organisation: String
        public var username: String
        public var firstName: String
        public var lastName: String
        public var email: String
        public var phone: String
        /// A `PortalLoginKind` raw value as posted.
        public var loginKind: String
        /// Typed ids; the contact counts for the contact kind, the object for the object kind.
        public var contactId: String
        public var objectId: String
        /// Empty keeps the password (or, for a new user, needs `sendLoginDetails`).
        public var password: String
        public var passwordConfirm: String
        public var isAdmin: Bool
        public var isShared: Bool
        public var isActive: Bool
        public var sendLoginDetails: Bool
        /// The staff member's language: login details go in the user's own when known, else in this.
        public var language: Language

        public init(userId: Int?, organisation: String, username: String, firstName: String, lastName: String, email: String,
                    phone: String, loginKind: String, contactId: String, objectId: String, password: String, passwordConfirm: String,
                    isAdmin: Bool, isShared: Bool, isActive: Bool, sendLoginDetails: Bool, language: Language) {
            self.userId = userId
            self.organisation = organisation
            self.username = username
            self.firstName = firstName
            self.lastName = lastName
            self.email = email
            self.phone = phone
            self.loginKind = loginKind
            self.contactId = contactId
            self.objectId = objectId
            self.password = password
            self.passwordConfirm = passwordConfirm
            self.isAdmin = isAdmin
            self.isShared = isShared
            self.isActive = isActive
            self.sendLoginDetails = sendLoginDetails
            self.language = language
        }
    }

    public enum Field: String, Hashable, Sendable {
        case organisation, username, firstName = "first_name", lastName = "last_name", email, phone
        case loginKind = "login_kind", contactId = "contact_id", objectId = "object_id"
        case password, passwordConfirm = "password_confirm"
    }

    public struct Saved: Sendable, Equatable {
        public var userId: Int
        public var created: Bool
    }

    /// - Throws: `OperationError.notFound` for an unknown user; `.stale` when someone took the username
    ///   between the check and the write.
    public static func run(_ input: Input, by actor: StaffActor, passwords: any PasswordHashing,
                           in context: OperationContext) async throws -> Outcome<Saved, Field> {
        let db = context.database
        var target: PortalUserRecord?
        if let id = input.userId {
            guard let found = try await PortalUserRecord.find(id, on: db) else { throw OperationError.notFound }
            target = found
        }
        let firstName = input.firstName.trimmed, lastName = input.lastName.trimmed, username = input.username.trimmed
        let number = input.organisation.trimmed, email = input.email.trimmed, phone = input.phone.trimmed
        var problems = Problems<Field>()
        for (field, value) in [(Field.firstName, firstName), (.lastName, lastName), (.username, username)] {
            if let problem = MasterDataRules.text(value, limit: InputLimits.name) { problems.add(field, problem) }
        }
        if let problem = MasterDataRules.text(number, limit: 50) { problems.add(.organisation, problem) }
        if let problem = MasterDataRules.text(email, limit: InputLimits.email, required: false) { problems.add(.email, problem) }
        if let problem = MasterDataRules.text(phone, limit: InputLimits.phone, required: false) { problems.add(.phone, problem) }
        if problems[.email] == nil, !email.isEmpty, !EmailAddress.isValid(email) { problems.add(.email, ProblemKey.invalidEmail) }
        if input.sendLoginDetails, email.isEmpty { problems.set(.email, "users_error_email_for_details") }
        var organisation: CustomerRecord?
        if problems[.organisation] == nil {
            organisation = try await CustomerRecord.query(on: db).filter(\.$customerNumber == number).first()
            if organisation == nil { problems.add(.organisation, "md_error_unknown_customer") }
        }
        let kind = PortalLoginKind(rawValue: input.loginKind)
        if kind == nil { problems.add(.loginKind, ProblemKey.required) }
        var contactId: Int?, objectId: Int?
        let contactText = input.contactId.trimmed, objectText = input.objectId.trimmed
        if kind == .contact, !contactText.isEmpty {
            if let id = Int(contactText.prefix(12)), try await ContactRecord.find(id, on: db) != nil { contactId = id }
            else { problems.add(.contactId, "md_error_unknown_contact") }
        }
        if kind == .object {
            if objectText.isEmpty { problems.add(.objectId, ProblemKey.required) }
            else if let id = Int(objectText.prefix(12)), let object = try await ObjectRecord.find(id, on: db) {
                if let organisation, object.customerId != organisation.id { problems.add(.objectId, "md_error_object_other_customer") }
                objectId = id
            } else { problems.add(.objectId, "md_error_unknown_object") }
        }
        if problems[.username] == nil, let organisation {
            let clash = try await PortalUserRecord.query(on: db).filter(\.$organisationId == organisation.requireID())
                .filter(\.$usernameKey == LoginKey.fold(username)).first()
            if let clash, clash.id != target?.id { problems.add(.username, "users_error_username_taken") }
        }
        let password = input.password
        try await NewPassword.check(password, confirmation: input.passwordConfirm, on: db, into: &problems,
                                    password: .password, confirmation: .passwordConfirm)
        if password.isEmpty, target == nil, !input.sendLoginDetails { problems.add(.password, "users_error_password_or_details") }
        guard problems.isEmpty, let organisation, let kind else { return .problems(problems) }

        // A new user without a password gets the hash of a random secret until the link is used.
        let hash = password.isEmpty ? (target == nil ? try await passwords.hash(Sessions.newToken()) : nil)
            : try await passwords.hash(password)
        let organisationId = try organisation.requireID()
        let record = target ?? PortalUserRecord()
        var changes = ChangeList()
        changes.compare("organisation", target.map { String($0.organisationId) }, String(organisationId))
        changes.compare("username", target?.username, username)
        changes.compare("name", target?.displayName, "\(firstName) \(lastName)")
        changes.compare("email", target?.email, email.nilIfEmpty)
        changes.compare("phone", target?.phone, phone.nilIfEmpty)
        var access = ChangeList()
        access.compare("login kind", target?.loginKind.rawValue, kind.rawValue)
        access.compare("contact", target?.contactId.map(String.init), contactId.map(String.init))
        access.compare("object", target?.objectId.map(String.init), objectId.map(String.init))
        access.compare("admin", target.map { String($0.isAdmin) }, String(input.isAdmin))
        access.compare("shared", target.map { String($0.isShared) }, String(input.isShared))
        let wasActive = target?.isActive
        record.organisationId = organisationId
        record.username = username
        record.usernameKey = LoginKey.fold(username)
        record.firstName = firstName
        record.lastName = lastName
        record.email = email.nilIfEmpty
        record.phone = phone.nilIfEmpty
        record.loginKind = kind
        record.contactId = kind == .contact ? contactId : nil
        record.objectId = kind == .object ? objectId : nil
        record.isAdmin = input.isAdmin
        record.isShared = input.isShared
        record.isActive = input.isActive
        if let hash { record.passwordHash = hash }
        let isNew = target == nil, changeText = changes.text, accessText = access.text
        let sendDetails = input.sendLoginDetails, fallback = input.language
        do {
            try await db.transaction { tx in
                try await record.save(on: tx)
                let subject = "portal user \(try record.requireID()) \(organisation.customerNumber)/\(record.username)"
                let audit = { (action: AuditAction, details: String) in
                    try await context.audit(action, by: actor.auditActor, subject: subject, details: details, on: tx)
                }
                if isNew {
                    try await audit(.accessChanged, "created, \(kind.rawValue)\(record.isActive ? "" : ", inactive")")
                } else {
                    if let changeText { try await audit(.masterDataChanged, changeText) }
                    if let accessText { try await audit(.accessChanged, accessText) }
                    if wasActive != record.isActive { try await audit(.accessChanged, record.isActive ? "reactivated" : "deactivated") }
                    if !password.isEmpty { try await audit(.accessChanged, "password set by staff") }
                }
                if sendDetails, let email = record.email {
                    try await LoginDetails.queue(user: record, email: email, organisation: organisation, language: fallback,
                                                 in: context, on: tx)
                }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Someone saved the same unique value between the check and the write.
            throw OperationError.stale
        }
        if !isNew, !record.isActive || !password.isEmpty {
            try await Sessions(database: db).endAll(realm: .portal, userId: try record.requireID())
        }
        return .done(Saved(userId: try record.requireID(), created: isNew))
    }
}
