import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Customer-side user administration (A9) at /users. An organisation's administrators list, add and
/// edit its users; in an organisation that may have only one user there is no list and the user
/// edits itself.
struct PortalUsersController: RouteCollection {
    static let pageSize = 50

    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.users, use: list)
        routes.on(PortalRoute.newUser, use: newForm)
        routes.on(PortalRoute.newUserSubmit, use: create)
        routes.on(PortalRoute.user, use: editForm)
        routes.on(PortalRoute.userSubmit, use: update)
    }

    struct UserRow: Encodable {
        var id: Int
        var name: String
        var username: String
        var email: String
        var isAdmin: Bool
        var isShared: Bool
        var isActive: Bool
        /// Whether the signed-in administrator may open this user (issue 9 point 7).
        var editable: Bool
    }

    struct ListPage: Encodable {
        var layout: Layout
        var users: [UserRow]
        var notice: String?
        var paging: Paging
    }

    struct FormPage: Encodable {
        var layout: Layout
        var isNew: Bool
        var isSelf: Bool
        var action: String
        var values: [String: String]
        var errors: [String: String]
        var hasErrors: Bool
        var isAdmin: Bool
        var isShared: Bool
        var isActive: Bool
        var sendLoginDetails: Bool
        var showAdminFields: Bool
        var notice: String?
        var passwordRules: String
    }

    /// Who may manage which accounts: admins their organisation's; everybody in a one-user organisation itself.
    struct Scope {
        var principal: PortalPrincipal
        var organisation: CustomerRecord
        var isAdmin: Bool { principal.user.isAdmin }
        var singleUser: Bool { organisation.singleUser }
    }

    func scope(_ request: Request) async throws -> Scope {
        let principal = try request.requirePortal()
        guard let organisation = try await CustomerRecord.find(principal.user.organisationId, on: request.db) else {
            throw Abort(.notFound)
        }
        let scope = Scope(principal: principal, organisation: organisation)
        guard scope.isAdmin || scope.singleUser else { throw Abort(.notFound) }
        return scope
    }

    func list(request: Request) async throws -> Response {
        let scope = try await scope(request)
        if scope.singleUser {
            return request.redirect(to: PortalRoute.user, try scope.principal.user.requireID())
        }
        let query = PortalUserRecord.query(on: request.db).filter(\.$organisationId == scope.organisation.id!)
        let total = try await query.count()
        let paging = Paging(request, total: total, pageSize: Self.pageSize, route: PortalRoute.users)
        let users = try await PortalUserRecord.query(on: request.db).filter(\.$organisationId == scope.organisation.id!)
            .sort(\.$lastName).sort(\.$firstName).sort(\.$id)
            .range(paging.offset ..< paging.offset + Self.pageSize).all()
        let notice = request.notice([.created, .saved], prefix: "users_notice_")
        // One look-up for the whole page (issue 9 point 7), not a few queries per row.
        let manageable = try await ManagedUsers.manageable(users, by: scope.principal.visibility, on: request.db)
        let rows = users.map { user in
            UserRow(id: user.id!, name: user.displayName, username: user.username, email: user.email ?? "",
                    isAdmin: user.isAdmin, isShared: user.isShared, isActive: user.isActive,
                    editable: user.id == scope.principal.user.id || manageable.contains(user.id!))
        }
        let context = ListPage(
            layout: Layout(request, title: request.t("users_title")),
            users: rows,
            notice: notice, paging: paging)
        return try await request.view.render("portal/users", context).encodeResponse(for: request).get()
    }

    func newForm(request: Request) async throws -> Response {
        let scope = try await scope(request)
        guard scope.isAdmin, !scope.singleUser else { throw Abort(.notFound) }
        return try await render(request, scope: scope, target: nil, values: ["is_active": "1"], errors: [:], status: .ok)
    }

    func editForm(request: Request) async throws -> Response {
        let scope = try await scope(request)
        let target = try await findTarget(request, scope: scope)
        let values: [String: String] = [
            "first_name": target.firstName, "last_name": target.lastName, "username": target.username,
            "email": target.email ?? "", "phone": target.phone ?? "",
            "is_admin": target.isAdmin ? "1" : "", "is_shared": target.isShared ? "1" : "", "is_active": target.isActive ? "1" : "",
        ]
        return try await render(request, scope: scope, target: target, values: values, errors: [:], status: .ok)
    }

    func findTarget(_ request: Request, scope: Scope) async throws -> PortalUserRecord {
        guard let id = request.parameters.get("userId").flatMap(Int.init),
              let target = try await PortalUserRecord.query(on: request.db).filter(\.$id == id)
                .filter(\.$organisationId == scope.organisation.id!).first()
        else { throw Abort(.notFound) }
        // Outside a one-user organisation only administrators manage users; a user may always edit itself.
        if target.id == scope.principal.user.id { return target }
        guard scope.isAdmin else { throw Abort(.notFound) }
        // An administrator manages only contact logins whose reach lies within their own, and no
        // pending registration: the same 404 as for a user of another organisation.
        guard try await ManagedUsers.mayManage(target, by: scope.principal.visibility, on: request.db) else {
            throw Abort(.notFound)
        }
        return target
    }

    func create(request: Request) async throws -> Response {
        let scope = try await scope(request)
        guard scope.isAdmin, !scope.singleUser else { throw Abort(.notFound) }
        let values = request.formValues(longest: 1_000)
        let errors = try await check(request, values: values, scope: scope, target: nil)
        guard errors.isEmpty else {
            return try await render(request, scope: scope, target: nil, values: values, errors: errors, status: .unprocessableEntity)
        }
        let password = values["password"] ?? ""
        let sendDetails = values["send_login_details"] != nil
        // Without a password typed, the account gets an unusable random one until the link is used.
        let hash = try await request.caseport.passwords.hash(password.isEmpty ? Sessions.newToken() : password)
        let admin = scope.principal.user
        let user = try await request.db.transaction { tx -> PortalUserRecord in
            // The new user reaches what the administrator's contact reaches: a new contact with the same links.
            var contactId: Int?
            if let adminContact = admin.contactId {
                let contact = ContactRecord(firstName: values["first_name"]!.trimmed, lastName: values["last_name"]!.trimmed,
                                            email: values["email"]?.trimmed.nilIfEmpty, phone: values["phone"]?.trimmed.nilIfEmpty)
                try await contact.create(on: tx)
                contactId = contact.id
                for link in try await ContactCustomerLink.query(on: tx).filter(\.$contactId == adminContact).all() {
                    try await ContactCustomerLink(contactId: contact.id!, customerId: link.customerId).create(on: tx)
                }
                for link in try await ContactObjectLink.query(on: tx).filter(\.$contactId == adminContact).all() {
                    try await ContactObjectLink(contactId: contact.id!, objectId: link.objectId).create(on: tx)
                }
            }
            let user = PortalUserRecord(
                organisationId: scope.organisation.id!, username: values["username"]!.trimmed, loginKind: .contact,
                contactId: contactId, firstName: values["first_name"]!.trimmed, lastName: values["last_name"]!.trimmed,
                email: values["email"]?.trimmed.nilIfEmpty, phone: values["phone"]?.trimmed.nilIfEmpty, passwordHash: hash,
                isAdmin: values["is_admin"] != nil, isShared: values["is_shared"] != nil, isActive: values["is_active"] != nil)
            try await user.create(on: tx)
            try await AuditLog(database: tx).record(
                .accessChanged, by: .portal(id: admin.id, name: "\(admin.displayName) (\(admin.username))"),
                subject: "portal user \(user.id!) \(scope.organisation.customerNumber)/\(user.username)",
                details: "created by the customer's administrator\(user.isAdmin ? ", administrator" : "")\(user.isActive ? "" : ", inactive")",
                ip: request.clientAddress)
            if sendDetails, let email = user.email {
                try await Self.queueLoginDetails(request, user: user, email: email, organisation: scope.organisation, on: tx)
            }
            return user
        }
        _ = user
        return request.redirect(to: PortalRoute.users, notice: .created)
    }

    static func queueLoginDetails(_ request: Request, user: PortalUserRecord, email: String, organisation: CustomerRecord,
                                  on db: any Database) async throws {
        let token = try await AccountTokens(database: db).issue(userId: try user.requireID(), purpose: "set_password",
                                                                lifetime: 7 * 24 * 3_600)
        let link = "\(request.publicBaseURL)/password/set?token=\(token)"
        try await Notifications.loginDetails(request.notificationContext, to: email, name: user.displayName, organisation: organisation.shortCode,
                                             username: user.username, link: link,
                                             language: user.language.flatMap(Language.init(rawValue:)) ?? request.language)
            .create(on: db)
    }

    func update(request: Request) async throws -> Response {
        let scope = try await scope(request)
        let target = try await findTarget(request, scope: scope)
        var values = request.formValues(longest: 1_000)
        let isSelf = target.id == scope.principal.user.id
        if isSelf {
            // Nobody can lock themselves out: their own admin and active flags stay as they are.
            values["is_admin"] = target.isAdmin ? "1" : nil
            values["is_active"] = "1"
        }
        if !scope.isAdmin {
            values["is_admin"] = target.isAdmin ? "1" : nil
            values["is_shared"] = target.isShared ? "1" : nil
        }
        var errors = try await check(request, values: values, scope: scope, target: target)
        let password = values["password"] ?? ""
        // Changing one's own password asks for the current one (a borrowed session cannot take the account).
        if isSelf, !password.isEmpty, errors["password"] == nil {
            let current = String((values["current_password"] ?? "").prefix(InputLimits.password))
            let matches = current.isEmpty ? false : try await request.caseport.passwords.verify(current, against: target.passwordHash)
            if !matches { errors["current_password"] = request.t("password_current_wrong") }
        }
        guard errors.isEmpty else {
            return try await render(request, scope: scope, target: target, values: values, errors: errors, status: .unprocessableEntity)
        }
        let wasAdmin = target.isAdmin
        target.firstName = values["first_name"]!.trimmed
        target.lastName = values["last_name"]!.trimmed
        target.username = values["username"]!.trimmed
        target.usernameKey = LoginKey.fold(target.username)
        target.email = values["email"]?.trimmed.nilIfEmpty
        target.phone = values["phone"]?.trimmed.nilIfEmpty
        target.isAdmin = values["is_admin"] != nil
        target.isShared = values["is_shared"] != nil
        let wasActive = target.isActive
        target.isActive = values["is_active"] != nil
        if !password.isEmpty {
            target.passwordHash = try await request.caseport.passwords.hash(password)
        }
        let sendDetails = values["send_login_details"] != nil
        var access: [String] = []
        if wasActive != target.isActive { access.append(target.isActive ? "reactivated" : "deactivated") }
        if wasAdmin != target.isAdmin { access.append(target.isAdmin ? "made administrator" : "no longer administrator") }
        if !password.isEmpty, !isSelf { access.append("password set by the customer's administrator") }
        let actor = scope.principal.user, accessChanges = access
        try await request.db.transaction { tx in
            try await target.update(on: tx)
            if !password.isEmpty {
                // A new password voids the account's older set-password links (a link sent below stays valid).
                try await AccountTokens(database: tx).voidAll(userId: try target.requireID(), purpose: "set_password")
            }
            if !accessChanges.isEmpty {
                try await AuditLog(database: tx).record(
                    .accessChanged, by: .portal(id: actor.id, name: "\(actor.displayName) (\(actor.username))"),
                    subject: "portal user \(target.id!) \(scope.organisation.customerNumber)/\(target.username)",
                    details: accessChanges.joined(separator: ", "), ip: request.clientAddress)
            }
            if sendDetails, let email = target.email {
                try await Self.queueLoginDetails(request, user: target, email: email, organisation: scope.organisation, on: tx)
            }
        }
        if (wasActive && !target.isActive) || !password.isEmpty {
            try await Sessions(database: request.db).endAll(realm: .portal, userId: try target.requireID())
        }
        let redirect = scope.singleUser ? PortalRoute.user.path([String(try target.requireID())], query: Notice.saved.queryItems) : PortalRoute.users.path(query: Notice.saved.queryItems)
        if isSelf, !password.isEmpty {
            // Every other session of the account ended above; this browser continues with a new token.
            return try await startSession(request, realm: .portal, userId: try target.requireID(), redirect: redirect)
        }
        if scope.singleUser {
            return request.redirect(to: PortalRoute.user, try target.requireID(), notice: .saved)
        }
        return request.redirect(to: PortalRoute.users, notice: .saved)
    }

    func check(_ request: Request, values: [String: String], scope: Scope, target: PortalUserRecord?) async throws -> [String: String] {
        var errors: [String: String] = [:]
        for key in ["first_name", "last_name", "username"] {
            let value = (values[key] ?? "").trimmed
            if value.isEmpty { errors[key] = request.t("form_required") }
            else if value.count > InputLimits.name { errors[key] = request.t("form_too_long") }
        }
        let email = (values["email"] ?? "").trimmed
        if !email.isEmpty, !email.looksLikeEmail { errors["email"] = request.t("form_invalid_email") }
        if values["send_login_details"] != nil, email.isEmpty { errors["email"] = request.t("users_error_email_for_details") }
        if (values["phone"] ?? "").count > InputLimits.phone { errors["phone"] = request.t("form_too_long") }
        let username = (values["username"] ?? "").trimmed
        if errors["username"] == nil {
            let clash = try await PortalUserRecord.query(on: request.db)
                .filter(\.$organisationId == scope.organisation.id!).filter(\.$usernameKey == LoginKey.fold(username)).first()
            if let clash, clash.id != target?.id { errors["username"] = request.t("users_error_username_taken") }
        }
        let password = values["password"] ?? "", confirmation = values["password_confirm"] ?? ""
        if !password.isEmpty {
            let policy = try await SettingsStore(database: request.db).load().passwordPolicy
            let problems = policy.problems(with: password)
            if !problems.isEmpty { errors["password"] = problems.map { request.t($0.rawValue) }.joined(separator: " ") }
            else if password != confirmation { errors["password_confirm"] = request.t("password_mismatch") }
        } else if target == nil, values["send_login_details"] == nil {
            errors["password"] = request.t("users_error_password_or_details")
        }
        return errors
    }

    func render(_ request: Request, scope: Scope, target: PortalUserRecord?, values: [String: String],
                errors: [String: String], status: HTTPResponseStatus) async throws -> Response {
        let isSelf = target?.id == scope.principal.user.id
        let policy = try await SettingsStore(database: request.db).load().passwordPolicy
        var values = values
        values["password"] = nil
        values["password_confirm"] = nil
        values["current_password"] = nil
        let notice = request.notice([.saved], prefix: "users_notice_")
        let page = FormPage(
            layout: Layout(request, title: request.t(target == nil ? "users_new_title" : (isSelf ? "users_self_title" : "users_edit_title"))),
            isNew: target == nil, isSelf: isSelf,
            action: target.map { PortalRoute.userSubmit.path($0.id!) } ?? PortalRoute.newUserSubmit.path(),
            values: values, errors: errors, hasErrors: !errors.isEmpty,
            isAdmin: values["is_admin"] != nil, isShared: values["is_shared"] != nil, isActive: values["is_active"] != nil,
            sendLoginDetails: values["send_login_details"] != nil,
            showAdminFields: scope.isAdmin && !isSelf, notice: notice,
            passwordRules: Self.describe(policy, request: request))
        let response = try await request.view.render("portal/user-form", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    static func describe(_ policy: PasswordPolicy, request: Request) -> String {
        var parts = [request.t("password_rule_length").replacingOccurrences(of: "{n}", with: String(policy.minimumLength))]
        if policy.requiresDigit { parts.append(request.t("password_rule_digit")) }
        if policy.requiresUppercase { parts.append(request.t("password_rule_uppercase")) }
        if !policy.forbiddenCharacters.isEmpty {
            parts.append(request.t("password_rule_forbidden").replacingOccurrences(of: "{chars}", with: policy.forbiddenCharacters))
        }
        return parts.joined(separator: " ")
    }
}

extension Request {
    /// The address links in e-mails start with: CASEPORT_PUBLIC_URL. Without it (a demo on one machine:
    /// `caseport serve` refuses a non-loopback address without it) the request's Host counts only when
    /// it names this machine's loopback, so a lost-password mail can never carry a host the requester chose.
    var publicBaseURL: String {
        if let configured = caseport.config.publicURL { return configured }
        if let host = headers.first(name: .host), LoopbackHost.isLoopback(hostAndPort: host) {
            return "http://\(host)"
        }
        return "http://127.0.0.1:\(application.http.server.configuration.port)"
    }
}
