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
        var values: [String: String]
        var errors: [String: String]
        var hasErrors: Bool
        var roles: [SelectOption]
        var isActive: Bool
        var sendLink: Bool
        var passwordRules: String
    }

    func list(request: Request) async throws -> View {
        let q = request.searchText
        func filtered() -> QueryBuilder<StaffUserRecord> {
            let query = StaffUserRecord.query(on: request.db)
            if !q.isEmpty {
                query.group(.or) { group in
                    group.filter(\.$name, TextSearch.like(request.db), TextSearch.pattern(q))
                        .filter(\.$emailKey, TextSearch.like(request.db), TextSearch.pattern(LoginKey.fold(q)))
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
        try await render(request, target: nil, values: ["role": StaffRole.handler.rawValue, "is_active": "1"], errors: [:], status: .ok)
    }

    func editForm(request: Request) async throws -> Response {
        let target = try await find(request)
        let values = ["name": target.name, "email": target.email, "role": target.role.rawValue,
                      "is_active": target.isActive ? "1" : ""]
        return try await render(request, target: target, values: values, errors: [:], status: .ok)
    }

    func find(_ request: Request) async throws -> StaffUserRecord {
        guard let id = request.parameters.get("staffId").flatMap(Int.init),
              let user = try await StaffUserRecord.find(id, on: request.db) else { throw Abort(.notFound) }
        return user
    }

    func create(request: Request) async throws -> Response {
        let values = request.formValues(longest: 1_000)
        var errors = try await check(request, values: values, target: nil)
        let password = values["password"] ?? ""
        let sendLink = values["send_link"] != nil
        if password.isEmpty && !sendLink { errors["password"] = request.t("staff_users_error_password_or_link") }
        guard errors.isEmpty else {
            return try await render(request, target: nil, values: values, errors: errors, status: .unprocessableEntity)
        }
        // With a link and no password, the account gets the hash of a random secret until the link is used.
        let hash = try await request.caseport.passwords.hash(password.isEmpty ? Sessions.newToken() : password)
        let role = StaffRole(rawValue: values["role"] ?? "") ?? .handler
        let user = StaffUserRecord(email: values["email"]!.trimmed, name: values["name"]!.trimmed, role: role, passwordHash: hash)
        do {
            try await request.db.transaction { tx in
                try await user.create(on: tx)
                try await request.audit(.accessChanged, subject: "staff user \(user.id!) \(user.email)",
                                        details: "created, role: \(role.rawValue)\(sendLink ? ", set-password link sent" : "")", on: tx)
                if sendLink { try await StaffPasswordController.queueLink(request, to: user, on: tx) }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Someone saved the same unique value between the check and the write.
            return try await render(request, target: nil, values: values, errors: ["email": request.t("md_error_saved_meanwhile")], status: .conflict)
        }
        return request.redirect(to: StaffRoute.staffUsers, notice: .created)
    }

    func update(request: Request) async throws -> Response {
        let target = try await find(request)
        let values = request.formValues(longest: 1_000)
        var errors = try await check(request, values: values, target: target)
        let role = StaffRole(rawValue: values["role"] ?? "") ?? target.role
        let willBeActive = values["is_active"] != nil
        let isSelf = target.id == request.staffPrincipal?.user.id
        let password = values["password"] ?? ""
        // Changing one's own password asks for the current one (a borrowed session cannot take the account).
        if isSelf, !password.isEmpty, errors["password"] == nil {
            let current = String((values["current_password"] ?? "").prefix(InputLimits.password))
            let matches = current.isEmpty ? false : try await request.caseport.passwords.verify(current, against: target.passwordHash)
            if !matches { errors["current_password"] = request.t("password_current_wrong") }
        }
        let hash = password.isEmpty || !errors.isEmpty ? nil : try await request.caseport.passwords.hash(password)
        guard errors.isEmpty else {
            return try await render(request, target: target, values: values, errors: errors, status: .unprocessableEntity)
        }
        let name = values["name"]!.trimmed, email = values["email"]!.trimmed
        let sendLink = values["send_link"] != nil && willBeActive
        let problem: StaffAccountRule.Problem? = try await request.db.transaction { tx -> StaffAccountRule.Problem? in
            // Counted inside the transaction, so two admins demoting each other cannot both pass.
            let others = try await StaffUserRecord.query(on: tx).filter(\.$role == .admin).filter(\.$isActive == true)
                .filter(\.$id != target.id!).count()
            if let problem = StaffAccountRule.problem(
                isSelf: isSelf, willBeActive: willBeActive, wasActiveAdmin: target.role == .admin && target.isActive,
                staysActiveAdmin: role == .admin && willBeActive, otherActiveAdmins: others) {
                return problem
            }
            var changes = ChangeList()
            changes.compare("name", target.name, name)
            changes.compare("email", target.email, email)
            if hash != nil { changes.note("password set") }
            let previousRole = target.role, activeChanged = target.isActive != willBeActive
            target.name = name
            target.email = email
            target.emailKey = LoginKey.fold(email)
            target.role = role
            target.isActive = willBeActive
            if let hash { target.passwordHash = hash }
            try await target.update(on: tx)
            let subject = "staff user \(target.id!) \(target.email)"
            if previousRole != role {
                try await request.audit(.roleChanged, subject: subject, details: "\(previousRole.rawValue) → \(role.rawValue)", on: tx)
            }
            if activeChanged {
                try await request.audit(.accessChanged, subject: subject, details: willBeActive ? "reactivated" : "deactivated", on: tx)
            }
            if let details = changes.text {
                try await request.audit(.masterDataChanged, subject: subject, details: details, on: tx)
            }
            // A password set here voids older set-password links (one sent below stays valid).
            if hash != nil { try await StaffAccountTokens(database: tx).voidAll(staffUserId: target.id!) }
            if sendLink {
                try await StaffPasswordController.queueLink(request, to: target, on: tx)
                try await request.audit(.accessChanged, subject: subject, details: "set-password link sent", on: tx)
            }
            return nil
        }
        if let problem {
            errors[problem == .selfDeactivation ? "is_active" : "role"] = request.t(problem.rawValue)
            return try await render(request, target: target, values: values, errors: errors, status: .unprocessableEntity)
        }
        if !target.isActive || hash != nil {
            try await Sessions(database: request.db).endAll(realm: .staff, userId: target.id!)
        }
        if isSelf, hash != nil {
            // Every other session of the account ended above; this browser continues with a new token.
            return try await startSession(request, realm: .staff, userId: target.id!, redirect: StaffRoute.staffUsers.path(query: Notice.saved.queryItems))
        }
        return request.redirect(to: StaffRoute.staffUsers, notice: .saved)
    }

    func check(_ request: Request, values: [String: String], target: StaffUserRecord?) async throws -> [String: String] {
        var errors: [String: String] = [:]
        let name = (values["name"] ?? "").trimmed
        if name.isEmpty { errors["name"] = request.t("form_required") }
        else if name.count > InputLimits.name { errors["name"] = request.t("form_too_long") }
        let email = (values["email"] ?? "").trimmed
        if email.isEmpty { errors["email"] = request.t("form_required") }
        else if email.count > InputLimits.email { errors["email"] = request.t("form_too_long") }
        else if !email.looksLikeEmail { errors["email"] = request.t("form_invalid_email") }
        else if let clash = try await StaffUserRecord.query(on: request.db).filter(\.$emailKey == LoginKey.fold(email)).first(),
                clash.id != target?.id {
            errors["email"] = request.t("staff_users_error_email_taken")
        }
        if StaffRole(rawValue: values["role"] ?? "") == nil { errors["role"] = request.t("form_required") }
        let password = values["password"] ?? "", confirmation = values["password_confirm"] ?? ""
        if !password.isEmpty {
            let policy = try await SettingsStore(database: request.db).load().passwordPolicy
            let problems = policy.problems(with: password)
            if !problems.isEmpty { errors["password"] = problems.map { request.t($0.rawValue) }.joined(separator: " ") }
            else if password != confirmation { errors["password_confirm"] = request.t("password_mismatch") }
        }
        return errors
    }

    func render(_ request: Request, target: StaffUserRecord?, values: [String: String], errors: [String: String],
                status: HTTPResponseStatus) async throws -> Response {
        var values = values
        values["password"] = nil
        values["password_confirm"] = nil
        values["current_password"] = nil
        let policy = try await SettingsStore(database: request.db).load().passwordPolicy
        let page = FormPage(
            layout: Layout(request, title: request.t(target == nil ? "staff_users_new_title" : "staff_users_edit_title"), area: "staff"),
            isNew: target == nil, isSelf: target != nil && target?.id == request.staffPrincipal?.user.id,
            action: target.map { StaffRoute.staffUserSubmit.path($0.id!) } ?? StaffRoute.newStaffUserSubmit.path(),
            values: values, errors: errors, hasErrors: !errors.isEmpty,
            roles: StaffRole.allCases.map {
                SelectOption(value: $0.rawValue, name: request.t("staff_role_\($0.rawValue)"), selected: values["role"] == $0.rawValue)
            },
            isActive: values["is_active"] != nil, sendLink: values["send_link"] != nil,
            passwordRules: PortalUsersController.describe(policy, request: request))
        let response = try await request.view.render("staff/staff-user-form", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}
