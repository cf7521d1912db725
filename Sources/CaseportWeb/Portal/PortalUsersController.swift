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
        /// Issue 11: on the user's own page, whether they get e-mails about their cases (`PortalCaseMailController`).
        var caseMailOn: Bool
    }

    /// Who may manage which accounts (`PortalUserAdmin`): a 404 for anyone else, as for a missing page.
    func admin(_ request: Request) async throws -> PortalUserAdmin {
        try await PortalUserAdmin.of(try request.portalMember(), on: request.db)
    }

    func list(request: Request) async throws -> Response {
        let admin = try await admin(request)
        if admin.singleUser {
            return request.redirect(to: PortalRoute.user, try admin.administrator.requireID())
        }
        let query = PortalUserRecord.query(on: request.db).filter(\.$organisationId == admin.organisationId)
        let total = try await query.count()
        let paging = Paging(request, total: total, pageSize: Self.pageSize, route: PortalRoute.users)
        let users = try await PortalUserRecord.query(on: request.db).filter(\.$organisationId == admin.organisationId)
            .sort(\.$lastName).sort(\.$firstName).sort(\.$id)
            .range(paging.offset ..< paging.offset + Self.pageSize).all()
        let notice = request.notice([.created, .saved], prefix: "users_notice_")
        let editable = try await admin.editable(users, on: request.db)
        let rows = users.map { user in
            UserRow(id: user.id!, name: user.displayName, username: user.username, email: user.email ?? "",
                    isAdmin: user.isAdmin, isShared: user.isShared, isActive: user.isActive,
                    editable: editable.contains(user.id!))
        }
        let context = ListPage(
            layout: Layout(request, title: request.t("users_title")),
            users: rows,
            notice: notice, paging: paging)
        return try await request.view.render("portal/users", context).encodeResponse(for: request).get()
    }

    func newForm(request: Request) async throws -> Response {
        let admin = try await admin(request)
        guard admin.mayAdd else { throw Abort(.notFound) }
        return try await render(request, admin: admin, target: nil, form: OrganisationUserForm(), errors: [:], status: .ok)
    }

    func editForm(request: Request) async throws -> Response {
        let admin = try await admin(request)
        let target = try await admin.target(try Self.userId(request), on: request.db)
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
        let outcome = try await SaveOrganisationUser.run(form.input(userId: userId, language: request.language), by: actor,
                                                   passwords: request.caseport.passwords, in: request.operations)
        switch outcome {
        case .problems(let problems):
            let admin = try await PortalUserAdmin.of(actor, on: request.db)
            let target = try await userId.asyncMap { try await admin.target($0, on: request.db) }
            return try await render(request, admin: admin, target: target, form: form, errors: request.texts(problems),
                                    status: .unprocessableEntity)
        case .done(let saved) where saved.created:
            return request.redirect(to: PortalRoute.users, notice: .created)
        case .done(let saved):
            if saved.restartSession {
                // Every session of the account ended; this browser continues with a new token.
                let next = saved.singleUser ? PortalRoute.user.path([String(saved.userId)], query: Notice.saved.queryItems)
                    : PortalRoute.users.path(query: Notice.saved.queryItems)
                return try await startSession(request, realm: .portal, userId: saved.userId, redirect: next)
            }
            return saved.singleUser ? request.redirect(to: PortalRoute.user, saved.userId, notice: .saved)
                : request.redirect(to: PortalRoute.users, notice: .saved)
        }
    }

    func render(_ request: Request, admin: PortalUserAdmin, target: PortalUserRecord?, form: OrganisationUserForm,
                errors: [String: String], status: HTTPResponseStatus) async throws -> Response {
        let isSelf = target.map(admin.isSelf) ?? false
        let policy = try await SettingsStore(database: request.db).load().passwordPolicy
        let notice = request.notice([.saved], prefix: "users_notice_")
        let page = FormPage(
            layout: Layout(request, title: request.t(target == nil ? "users_new_title" : (isSelf ? "users_self_title" : "users_edit_title"))),
            isNew: target == nil, isSelf: isSelf,
            action: target.map { PortalRoute.userSubmit.path($0.id!) } ?? PortalRoute.newUserSubmit.path(),
            values: form, errors: errors, hasErrors: !errors.isEmpty,
            isAdmin: form.isAdmin, isShared: form.isShared, isActive: form.isActive,
            sendLoginDetails: form.sendLoginDetails,
            showAdminFields: admin.isAdmin && !isSelf, notice: notice,
            passwordRules: Self.describe(policy, request: request),
            caseMailOn: isSelf ? target?.caseMailOff != true : false)
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
