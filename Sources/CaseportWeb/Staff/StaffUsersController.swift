import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Staff accounts (D1) at /staff/staff-users, for administrators only (behind `StaffAdminGuard`):
/// list, create with an initial password under the policy, edit name, e-mail and role, deactivate
/// and reactivate. The last active administrator can neither be demoted nor deactivated, and nobody
/// deactivates themself. Every change is in the audit log (E5).
struct StaffUsersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.staffUsers, use: list)
        routes.on(StaffRoute.newStaffUser, use: newForm)
        routes.on(StaffRoute.newStaffUserSubmit, use: create)
        routes.on(StaffRoute.staffUser, use: editForm)
        routes.on(StaffRoute.staffUserSubmit, use: update)
    }

    struct Row: Encodable {
        var id: Int
        var name: String
        var email: String
        var role: String
        var isAdmin: Bool
        var isActive: Bool
        var lastLogin: String
    }

    struct ListPage: Encodable {
        var layout: Layout
        var rows: [Row]
        var q: String
        var paging: Paging
        var notice: String?
    }

    struct FormPage: Encodable {
        var layout: Layout
        var isNew: Bool
        var isSelf: Bool
        var action: String
        /// Shown again without the passwords.
        var values: StaffUserForm
        var errors: [String: String]
        var hasErrors: Bool
        var roles: [SelectOption]
        var isActive: Bool
        var sendLink: Bool
        var passwordRules: String
        /// The save would deactivate the account: the form asks for "Yes, deactivate" (issue 12 point 7).
        var askDeactivate = false
    }

    func list(request: Request) async throws -> View {
        let q = request.searchText
        func filtered() -> QueryBuilder<StaffUserRecord> {
            let query = StaffUserRecord.query(on: request.database)
            if !q.isEmpty {
                query.group(.or) { group in
                    group.filter(\.$name, TextSearch.like(request.database), TextSearch.pattern(q))
                        .filter(\.$emailKey, TextSearch.like(request.database), TextSearch.pattern(LoginKey.fold(q)))
                }
            }
            return query
        }
        let paging = Paging(request, total: try await filtered().count(), route: StaffRoute.staffUsers, query: ["q": q])
        let users = try await filtered().sort(\.$name).sort(\.$id)
            .range(paging.offset ..< paging.offset + Paging.listPageSize).all()
        let page = ListPage(
            layout: Layout(request, title: request.t("staff_users_title"), area: "staff"),
            rows: users.map {
                Row(id: $0.id!, name: $0.name, email: $0.email, role: request.t("staff_role_\($0.role.rawValue)"),
                    isAdmin: $0.role == .admin, isActive: $0.isActive,
                    lastLogin: $0.lastLoginAt.map { request.language.formatDateTime($0) } ?? "–")
            },
            q: q, paging: paging, notice: request.notice([.created, .saved], prefix: "staff_users_notice_"))
        return try await request.view.render("staff/staff-users", page)
    }

    func newForm(request: Request) async throws -> Response {
        try await render(request, target: nil, form: StaffUserForm(), errors: [:], status: .ok)
    }

    func editForm(request: Request) async throws -> Response {
        let target = try await find(request)
        return try await render(request, target: target, form: StaffUserForm(target), errors: [:], status: .ok)
    }

    func find(_ request: Request) async throws -> StaffUserRecord {
        guard let id = request.parameters.get("staffId").flatMap(Int.init),
              let user = try await StaffUserRecord.find(id, on: request.database) else { throw Abort(.notFound) }
        return user
    }

    func create(request: Request) async throws -> Response {
        let form = try request.form(StaffUserForm.self)
        let input = CreateStaffUser.Input(name: form.name, email: form.email, role: form.role, password: form.password,
                                          passwordConfirm: form.passwordConfirm, sendLink: form.sendLink, language: request.language,
                                          mobile: form.mobile)
        do {
            switch try await CreateStaffUser.run(input, by: try request.staffMember(), passwords: request.caseport.passwords,
                                                 in: request.operations) {
            case .done:
                return request.redirect(to: StaffRoute.staffUsers, notice: .created)
            case .problems(let problems):
                return try await render(request, target: nil, form: form, errors: request.texts(problems), status: .unprocessableEntity)
            }
        } catch OperationError.stale {
            // Someone saved the same unique value between the check and the write.
            return try await render(request, target: nil, form: form,
                                    errors: [StaffAccountField.email.rawValue: request.t("md_error_saved_meanwhile")], status: .conflict)
        }
    }

    func update(request: Request) async throws -> Response {
        let target = try await find(request)
        let form = try request.form(StaffUserForm.self)
        // Issue 12 point 7: switching an active account off asks first; nothing is saved until confirmed.
        // (Deactivating oneself is refused by the operation, with its own message.)
        if target.isActive, !form.isActive, !form.confirmDeactivate, target.id != request.staffPrincipal?.user.id {
            return try await render(request, target: target, form: form,
                                    errors: ["confirm_deactivate": request.t("confirm_deactivate_staff_user")],
                                    status: .unprocessableEntity)
        }
        let input = UpdateStaffUser.Input(staffUserId: try target.requireID(), name: form.name, email: form.email, role: form.role,
                                          isActive: form.isActive, password: form.password, passwordConfirm: form.passwordConfirm,
                                          currentPassword: form.currentPassword, sendLink: form.sendLink, language: request.language,
                                          mobile: form.mobile)
        switch try await UpdateStaffUser.run(input, by: try request.staffMember(), passwords: request.caseport.passwords,
                                             in: request.operations) {
        case .done(let updated) where updated.ownPasswordChanged:
            // Every other session of the account ended; this browser continues with a new token.
            return try await startSession(request, realm: .staff, userId: try target.requireID(),
                                          redirect: StaffRoute.staffUsers.path(query: Notice.saved.queryItems))
        case .done:
            return request.redirect(to: StaffRoute.staffUsers, notice: .saved)
        case .problems(let problems):
            return try await render(request, target: target, form: form, errors: request.texts(problems), status: .unprocessableEntity)
        }
    }

    func render(_ request: Request, target: StaffUserRecord?, form: StaffUserForm, errors: [String: String],
                status: HTTPResponseStatus) async throws -> Response {
        let policy = try await SettingsStore(database: request.database).load().passwordPolicy
        let page = FormPage(
            layout: Layout(request, title: request.t(target == nil ? "staff_users_new_title" : "staff_users_edit_title"), area: "staff"),
            isNew: target == nil, isSelf: target != nil && target?.id == request.staffPrincipal?.user.id,
            action: target.map { StaffRoute.staffUserSubmit.path($0.id!) } ?? StaffRoute.newStaffUserSubmit.path(),
            values: form, errors: errors, hasErrors: !errors.isEmpty,
            roles: StaffRole.allCases.map {
                SelectOption(value: $0.rawValue, name: request.t("staff_role_\($0.rawValue)"), selected: form.role == $0.rawValue)
            },
            isActive: form.isActive, sendLink: form.sendLink,
            passwordRules: PortalUsersController.describe(policy, request: request),
            askDeactivate: errors["confirm_deactivate"] != nil)
        let response = try await request.view.render("staff/staff-user-form", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}

/// The staff account form (D1), as posted; shown again without the passwords.
struct StaffUserForm: PostedForm, Encodable {
    static var longestValue: Int { 1_000 }
    var name = "", email = "", role = StaffRole.handler.rawValue
    /// Issue 13: the handler's mobile (shown to a claim's customer when the settings allow it).
    var mobile = ""
    var password = "", passwordConfirm = "", currentPassword = ""
    var isActive = true, sendLink = false
    /// "Yes, deactivate" (issue 12 point 7), needed when the save switches an active account off.
    var confirmDeactivate = false

    enum CodingKeys: String, CodingKey {
        case name, email, role, mobile, password, passwordConfirm = "password_confirm", currentPassword = "current_password"
        case isActive = "is_active", sendLink = "send_link", confirmDeactivate = "confirm_deactivate"
    }

    init() {}

    init(_ user: StaffUserRecord) {
        (name, email, role, isActive) = (user.name, user.email, user.role.rawValue, user.isActive)
        mobile = user.mobile ?? ""
    }

    /// What the template reads as `values`: never a password.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(email, forKey: .email)
        try container.encode(role, forKey: .role)
        try container.encode(mobile, forKey: .mobile)
    }
}
