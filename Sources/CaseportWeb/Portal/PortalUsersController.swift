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
        routes.on(PortalRoute.removeUser, use: removeForm)
        routes.on(PortalRoute.removeUserSubmit, use: remove)
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

    /// A register contact without a login (issue 11 point 10), given one in one step.
    struct ContactRow: Encodable {
        var id: Int
        var name: String
        var email: String
        var phone: String
    }

    struct ListPage: Encodable {
        var layout: Layout
        var users: [UserRow]
        var contacts: [ContactRow]
        var mayAdd: Bool
        var notice: String?
        var paging: Paging
    }

    /// One of the administrator's own links, as a box on the new-user form.
    struct LinkChoice: Encodable {
        var name: String
        var label: String
        var checked: Bool
    }

    struct RemovePage: Encodable {
        var layout: Layout
        var id: Int
        var name: String
        var username: String
        var backLink: String
    }

    struct FormPage: Encodable {
        var layout: Layout
        var isNew: Bool
        var isSelf: Bool
        var action: String
        var values: OrganisationUserForm
        var errors: [String: String]
        var hasErrors: Bool
        var isAdmin: Bool
        var isShared: Bool
        var isActive: Bool
        var sendLoginDetails: Bool
        var showAdminFields: Bool
        var notice: String?
        var passwordRules: String
        /// A new user: the register contact it is for, or the boxes of the administrator's links.
        var contactName: String?
        var linkChoices: [LinkChoice]
        /// Edit and Cancel as the BS seed says; Remove for another user of the list.
        var cancelLink: String
        var removeLink: String?
        /// Issue 11: on the user's own page, whether they get e-mails about their cases (`PortalCaseMailController`).
        var caseMailOn: Bool
        /// The save would deactivate the login: the form asks for "Yes, deactivate" (issue 12 point 7).
        var askDeactivate = false
    }

    /// Who may manage which accounts (`PortalUserAdmin`): a 404 for anyone else, as for a missing page.
    func admin(_ request: Request) async throws -> PortalUserAdmin {
        try await PortalUserAdmin.of(try request.portalMember(), on: request.database)
    }

    func list(request: Request) async throws -> Response {
        let admin = try await admin(request)
        if admin.singleUser {
            return request.redirect(to: PortalRoute.user, try admin.administrator.requireID())
        }
        // Removed users (issue 11 point 10) are hidden; their rows stay for their cases and messages.
        let query = PortalUserRecord.query(on: request.database).filter(\.$organisationId == admin.organisationId)
            .filter(\.$removedAt == nil)
        let total = try await query.count()
        let paging = Paging(request, total: total, pageSize: Self.pageSize, route: PortalRoute.users)
        let users = try await PortalUserRecord.query(on: request.database).filter(\.$organisationId == admin.organisationId)
            .filter(\.$removedAt == nil)
            .sort(\.$lastName).sort(\.$firstName).sort(\.$id)
            .range(paging.offset ..< paging.offset + Self.pageSize).all()
        let notice = request.notice([.created, .saved, .removed], prefix: "users_notice_")
        let editable = try await admin.editable(users, on: request.database)
        let rows = users.map { user in
            UserRow(id: user.id!, name: user.displayName, username: user.username, email: user.email ?? "",
                    isAdmin: user.isAdmin, isShared: user.isShared, isActive: user.isActive,
                    editable: editable.contains(user.id!))
        }
        // BS seed: the list shows the register contacts as well as the users.
        let contacts = admin.mayAdd ? try await OrganisationContacts.withoutLogin(for: admin, on: request.database) : []
        let context = ListPage(
            layout: Layout(request, title: request.t("users_title")),
            users: rows,
            contacts: contacts.map { ContactRow(id: $0.id!, name: "\($0.firstName) \($0.lastName)", email: $0.email ?? "",
                                                phone: $0.phone ?? "") },
            mayAdd: admin.mayAdd, notice: notice, paging: paging)
        let response = try await request.view.render("portal/users", context).encodeResponse(for: request).get()
        ListReturn.users.remember(request, on: response)
        return response
    }

    func newForm(request: Request) async throws -> Response {
        let admin = try await admin(request)
        guard admin.mayAdd else { throw Abort(.notFound) }
        // "Give a login" on a register contact of the list: the form starts from the contact.
        if let raw = request.query[String.self, at: "contact"] {
            guard let id = Int(raw) else { throw Abort(.notFound) }
            let contact = try await OrganisationContacts.contactWithoutLogin(id, for: admin, on: request.database)
            return try await render(request, admin: admin, target: nil, form: OrganisationUserForm(contact: contact), errors: [:],
                                    status: .ok)
        }
        var form = OrganisationUserForm()
        let own = try await OrganisationContacts.links(of: admin, on: request.database)
        form.customerLinks = Set(own.customers.map(\.id))
        form.objectLinks = Set(own.objects.map(\.id))
        return try await render(request, admin: admin, target: nil, form: form, errors: [:], status: .ok)
    }

    func editForm(request: Request) async throws -> Response {
        let admin = try await admin(request)
        let target = try await admin.target(try Self.userId(request), on: request.database)
        return try await render(request, admin: admin, target: target, form: OrganisationUserForm(target), errors: [:], status: .ok)
    }

    static func userId(_ request: Request) throws -> Int {
        guard let id = request.parameters.get("userId").flatMap(Int.init) else { throw Abort(.notFound) }
        return id
    }

    func create(request: Request) async throws -> Response {
        try await save(request, userId: nil)
    }

    func update(request: Request) async throws -> Response {
        try await save(request, userId: try Self.userId(request))
    }

    func save(_ request: Request, userId: Int?) async throws -> Response {
        let actor = try request.portalMember()
        let form = try request.form(OrganisationUserForm.self)
        // Issue 12 point 7: an administrator switching another active login off is asked first; nothing
        // is saved until "Yes, deactivate" is ticked. (A user the administrator may not manage is a 404.)
        if let userId, !form.isActive, !form.confirmDeactivate {
            let admin = try await PortalUserAdmin.of(actor, on: request.database)
            let target = try await admin.target(userId, on: request.database)
            if admin.isAdmin, !admin.isSelf(target), target.isActive {
                return try await render(request, admin: admin, target: target, form: form,
                                        errors: ["confirm_deactivate": request.t("confirm_deactivate_portal_user")],
                                        status: .unprocessableEntity)
            }
        }
        let outcome = try await SaveOrganisationUser.run(form.input(userId: userId, language: request.language), by: actor,
                                                   passwords: request.caseport.passwords, in: request.operations)
        switch outcome {
        case .problems(let problems):
            let admin = try await PortalUserAdmin.of(actor, on: request.database)
            let target = try await userId.asyncMap { try await admin.target($0, on: request.database) }
            return try await render(request, admin: admin, target: target, form: form, errors: request.texts(problems),
                                    status: .unprocessableEntity)
        case .done(let saved) where saved.created:
            return request.redirect(to: ListReturn.users.backLink(request, notice: .created))
        case .done(let saved):
            if saved.restartSession {
                // Every session of the account ended; this browser continues with a new token.
                let next = saved.singleUser ? PortalRoute.user.path([String(saved.userId)], query: Notice.saved.queryItems)
                    : PortalRoute.users.path(query: Notice.saved.queryItems)
                return try await startSession(request, realm: .portal, userId: saved.userId, redirect: next)
            }
            return saved.singleUser ? request.redirect(to: PortalRoute.user, saved.userId, notice: .saved)
                : request.redirect(to: ListReturn.users.backLink(request, notice: .saved))
        }
    }

    func render(_ request: Request, admin: PortalUserAdmin, target: PortalUserRecord?, form: OrganisationUserForm,
                errors: [String: String], status: HTTPResponseStatus) async throws -> Response {
        let isSelf = target.map(admin.isSelf) ?? false
        let policy = try await SettingsStore(database: request.database).load().passwordPolicy
        let notice = request.notice([.saved], prefix: "users_notice_")
        var contactName: String?
        var linkChoices: [LinkChoice] = []
        if target == nil {
            if let id = Int(form.contact) {
                let contact = try await OrganisationContacts.contactWithoutLogin(id, for: admin, on: request.database)
                contactName = "\(contact.firstName) \(contact.lastName)"
            } else {
                let own = try await OrganisationContacts.links(of: admin, on: request.database)
                linkChoices = own.customers.map {
                    LinkChoice(name: OrganisationUserForm.customerLinkPrefix + String($0.id), label: $0.name,
                               checked: form.customerLinks.contains($0.id))
                } + own.objects.map {
                    LinkChoice(name: OrganisationUserForm.objectLinkPrefix + String($0.id), label: $0.name,
                               checked: form.objectLinks.contains($0.id))
                }
            }
        }
        let backLink = admin.singleUser ? PortalRoute.cases.path() : ListReturn.users.backLink(request)
        let page = FormPage(
            layout: Layout(request, title: request.t(target == nil ? "users_new_title" : (isSelf ? "users_self_title" : "users_edit_title"))),
            isNew: target == nil, isSelf: isSelf,
            action: target.map { PortalRoute.userSubmit.path($0.id!) } ?? PortalRoute.newUserSubmit.path(),
            values: form, errors: errors, hasErrors: !errors.isEmpty,
            isAdmin: form.isAdmin, isShared: form.isShared, isActive: form.isActive,
            sendLoginDetails: form.sendLoginDetails,
            showAdminFields: admin.isAdmin && !isSelf, notice: notice,
            passwordRules: Self.describe(policy, request: request),
            contactName: contactName, linkChoices: linkChoices, cancelLink: backLink,
            removeLink: target.flatMap { admin.mayAdd && !isSelf ? PortalRoute.removeUser.path($0.id!) : nil },
            caseMailOn: isSelf ? target?.caseMailOff != true : false,
            askDeactivate: errors["confirm_deactivate"] != nil)
        let response = try await request.view.render("portal/user-form", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    // MARK: Remove (issue 11 point 10)

    /// "Remove" asks first, on a page of its own (works without JavaScript).
    func removeForm(request: Request) async throws -> Response {
        let admin = try await admin(request)
        guard admin.mayAdd else { throw Abort(.notFound) }
        let target = try await admin.target(try Self.userId(request), on: request.database)
        guard !admin.isSelf(target) else { throw Abort(.notFound) }
        let page = RemovePage(layout: Layout(request, title: request.t("users_remove_title")), id: target.id!,
                              name: target.displayName, username: target.username,
                              backLink: PortalRoute.user.path(target.id!))
        return try await request.view.render("portal/user-remove", page).encodeResponse(for: request).get()
    }

    func remove(request: Request) async throws -> Response {
        try await RemoveOrganisationUser.run(userId: try Self.userId(request), by: try request.portalMember(), in: request.operations)
        return request.redirect(to: ListReturn.users.backLink(request, notice: .removed))
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
