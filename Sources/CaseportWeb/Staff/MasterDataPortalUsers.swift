import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Portal users in the back office: list, create, edit, deactivate, and unlock an account that
/// five failed logins locked (A2). The lock is counted per typed organisation + username, and the
/// organisation may be typed as name, short code or customer number, so unlocking clears all three.
extension MasterDataController {
    func portalUsers(request: Request) async throws -> View {
        let q = request.searchText
        let customer = try await Self.customerFilter(request)
        func filtered() -> QueryBuilder<PortalUserRecord> {
            let query = PortalUserRecord.query(on: request.database)
            if let id = customer?.id { query.filter(\.$organisationId == id) }
            if !q.isEmpty {
                let like = TextSearch.like(request.database), pattern = TextSearch.pattern(q)
                query.group(.or) {
                    $0.filter(\.$firstName, like, pattern).filter(\.$lastName, like, pattern)
                        .filter(\.$usernameKey, like, TextSearch.pattern(LoginKey.fold(q))).filter(\.$email, like, pattern)
                }
            }
            return query
        }
        var keep = ["q": q]
        if let id = customer?.id { keep["customer"] = String(id) }
        let paging = Paging(request, total: try await filtered().count(), route: StaffRoute.portalUsers, query: keep)
        let records = try await filtered().sort(\.$lastName).sort(\.$firstName).sort(\.$id)
            .range(paging.offset ..< paging.offset + Paging.listPageSize).all()
        let organisations = Dictionary(uniqueKeysWithValues: try await CustomerRecord.query(on: request.database)
            .filter(\.$id ~~ Set(records.map(\.organisationId))).all().map { ($0.id!, $0) })
        let headers = ["md_name", "login_username", "md_organisation", "md_login_kind", "md_active"].map(request.t)
        let page = MasterDataPages.ListPage(
            layout: Layout(request, title: request.t("md_portal_users"), area: "staff"),
            tabs: MasterDataPages.tabs(request, current: "portal-users"), path: StaffRoute.portalUsers.path(),
            addLink: StaffRoute.newPortalUser.path(query: ["customer": customer.map { String($0.id!) }]),
            addLabel: request.t("md_add_portal_user"), q: q, searchLabel: request.t("md_search_portal_users"),
            hidden: customer.map { [SelectOption(value: "customer", name: String($0.id!), selected: true)] } ?? [],
            filterNote: customer.map { "\(request.t("md_customer")): \($0.name) (\($0.customerNumber))" },
            headers: headers,
            rows: records.map { user in
                let organisation = organisations[user.organisationId]
                return .init(id: user.id!, headers: headers, cells: [
                    .init(text: user.displayName.isEmpty ? user.username : user.displayName, link: StaffRoute.portalUser.path(user.id!),
                          tag: user.isAdmin ? request.t("user_admin") : nil),
                    .init(text: user.username),
                    .init(text: organisation.map { "\($0.name) (\($0.customerNumber))" } ?? ""),
                    .init(text: request.t("md_login_kind_\(user.loginKind.rawValue)")),
                    Self.activeCell(request, user.isActive),
                ])
            },
            paging: paging, notice: request.notice([.created, .saved], prefix: "md_notice_"))
        return try await request.view.render("staff/md-list", page)
    }

    func newPortalUser(request: Request) async throws -> Response {
        var form = PortalUserForm()
        if let customer = try await Self.customerFilter(request) { form.organisation = customer.customerNumber }
        return try await renderPortalUser(request, target: nil, organisation: nil, form: form, errors: [:], status: .ok)
    }

    func editPortalUser(request: Request) async throws -> Response {
        guard let target = try await PortalUserRecord.find(try Self.id(request), on: request.database),
              let organisation = try await CustomerRecord.find(target.organisationId, on: request.database) else { throw Abort(.notFound) }
        return try await renderPortalUser(request, target: target, organisation: organisation,
                                          form: PortalUserForm(target, organisation: organisation), errors: [:], status: .ok)
    }

    func savePortalUser(request: Request) async throws -> Response {
        var target: PortalUserRecord?
        if request.parameters.get("id") != nil {
            guard let found = try await PortalUserRecord.find(try Self.id(request), on: request.database) else { throw Abort(.notFound) }
            target = found
        }
        let form = try request.form(PortalUserForm.self)
        // Issue 12 point 7: switching an active login off asks first; nothing is saved until confirmed.
        if let target, target.isActive, !form.isActive, !form.confirmDeactivate {
            let organisation = try await CustomerRecord.find(target.organisationId, on: request.database)
            return try await renderPortalUser(request, target: target, organisation: organisation, form: form,
                                              errors: ["confirm_deactivate": request.t("confirm_deactivate_portal_user")],
                                              status: .unprocessableEntity)
        }
        do {
            switch try await SavePortalUser.run(form.input(userId: try target?.requireID(), language: request.language),
                                                by: try request.staffMember(), passwords: request.caseport.passwords,
                                                in: request.operations) {
            case .done(let saved):
                return request.redirect(to: StaffRoute.portalUser, saved.userId, notice: saved.created ? .created : .saved)
            case .problems(let problems):
                let organisation = problems[.organisation] == nil ? try await typedOrganisation(request, form) : nil
                return try await renderPortalUser(request, target: target, organisation: organisation, form: form,
                                                  errors: request.texts(problems), status: .unprocessableEntity)
            }
        } catch OperationError.stale {
            // Someone saved the same unique value between the check and the write.
            return try await renderPortalUser(request, target: target, organisation: try await typedOrganisation(request, form), form: form,
                                              errors: [SavePortalUser.Field.username.rawValue: request.t("md_error_saved_meanwhile")],
                                              status: .conflict)
        }
    }

    /// The organisation the form names, for showing the page again (its lock state and links).
    private func typedOrganisation(_ request: Request, _ form: PortalUserForm) async throws -> CustomerRecord? {
        try await CustomerRecord.query(on: request.database).filter(\.$customerNumber == form.organisation.trimmed).first()
    }

    func unlockPortalUser(request: Request) async throws -> Response {
        let id = try Self.id(request)
        try await UnlockPortalUser.run(userId: id, by: try request.staffMember(), in: request.operations)
        return request.redirect(to: StaffRoute.portalUser, id, notice: .unlocked)
    }

    func renderPortalUser(_ request: Request, target: PortalUserRecord?, organisation: CustomerRecord?, form: PortalUserForm,
                          errors: [String: String], status: HTTPResponseStatus) async throws -> Response {
        let policy = try await SettingsStore(database: request.database).load().passwordPolicy
        let fields: [MasterDataPages.Field] = [
            .init(name: "organisation", label: request.t("md_organisation_number"), value: form.organisation,
                  error: errors["organisation"], required: true, hint: request.t("md_customer_number_hint"), maxLength: 50),
            .init(name: "username", label: request.t("login_username"), value: form.username, error: errors["username"],
                  required: true),
            .init(name: "first_name", label: request.t("person_first_name"), value: form.firstName,
                  error: errors["first_name"], required: true),
            .init(name: "last_name", label: request.t("person_last_name"), value: form.lastName,
                  error: errors["last_name"], required: true),
            .init(name: "email", label: request.t("md_email"), kind: "email", value: form.email, error: errors["email"],
                  maxLength: InputLimits.email),
            .init(name: "phone", label: request.t("md_phone"), kind: "tel", value: form.phone, error: errors["phone"],
                  maxLength: InputLimits.phone),
            .init(name: "login_kind", label: request.t("md_login_kind"), kind: "select", error: errors["login_kind"],
                  options: PortalLoginKind.allCases.map {
                      SelectOption(value: $0.rawValue, name: request.t("md_login_kind_\($0.rawValue)"), selected: form.loginKind == $0.rawValue)
                  }, hint: request.t("md_login_kind_hint")),
            .init(name: "contact_id", label: request.t("md_contact_id"), value: form.contactId, error: errors["contact_id"],
                  hint: request.t("md_contact_id_hint"), maxLength: 12),
            .init(name: "object_id", label: request.t("md_object_id"), value: form.objectId, error: errors["object_id"],
                  hint: request.t("md_object_id_hint"), maxLength: 12),
            .init(name: "password", label: request.t("login_password"), kind: "password", error: errors["password"],
                  hint: PortalUsersController.describe(policy, request: request) + (target == nil ? "" : " " + request.t("user_password_keep"))),
            .init(name: "password_confirm", label: request.t("password_confirm"), kind: "password", error: errors["password_confirm"]),
            .init(name: "is_admin", label: request.t("user_admin"), kind: "checkbox", checked: form.isAdmin),
            .init(name: "is_shared", label: request.t("user_shared"), kind: "checkbox", checked: form.isShared),
            .init(name: "is_active", label: request.t("md_active_label"), kind: "checkbox", checked: form.isActive,
                  error: errors["is_active"]),
        ] + (errors["confirm_deactivate"] != nil ? [
            // Issue 12 point 7: deactivating asks first; this box is the confirmation.
            .init(name: "confirm_deactivate", label: request.t("confirm_deactivate_label"), kind: "checkbox",
                  error: errors["confirm_deactivate"]),
        ] : []) + [
            .init(name: "send_login_details", label: request.t("user_send_login_details"), kind: "checkbox",
                  checked: form.sendLoginDetails),
        ]
        var lock: MasterDataPages.LockState?
        var related: [MasterDataPages.Related] = []
        if let target, let organisation, let id = target.id {
            lock = .init(locked: try await UnlockPortalUser.isLocked(target, organisation: organisation, on: request.database),
                         unlockAction: StaffRoute.portalUserUnlock.path(id))
            related.append(.init(href: StaffRoute.customer.path(organisation.id!), label: "\(organisation.name) (\(organisation.customerNumber))"))
            if let contactId = target.contactId { related.append(.init(href: StaffRoute.contact.path(contactId), label: request.t("md_related_contact"))) }
        }
        let page = MasterDataPages.FormPage(
            layout: Layout(request, title: target.map { "\($0.displayName) (\($0.username))" } ?? request.t("md_add_portal_user"), area: "staff"),
            tabs: MasterDataPages.tabs(request, current: "portal-users"),
            backLink: StaffRoute.portalUsers.path(), backLabel: request.t("md_portal_users"),
            action: target.map { StaffRoute.portalUserSubmit.path($0.id!) } ?? StaffRoute.newPortalUserSubmit.path(),
            fields: fields, hasErrors: !errors.isEmpty,
            notice: request.notice([.created, .saved, .unlocked], prefix: "md_notice_"), related: related, lock: lock)
        return try await MasterDataPages.render(request, page, status: status)
    }
}

/// The back office's portal user form (D6/A9), as posted and as shown again (never the passwords).
struct PortalUserForm: PostedForm {
    static var longestValue: Int { 1_000 }
    var organisation = "", username = "", firstName = "", lastName = "", email = "", phone = ""
    var loginKind = PortalLoginKind.contact.rawValue, contactId = "", objectId = ""
    var password = "", passwordConfirm = ""
    var isAdmin = false, isShared = false, isActive = true, sendLoginDetails = false
    /// "Yes, deactivate" (issue 12 point 7), needed when the save switches an active login off.
    var confirmDeactivate = false

    enum CodingKeys: String, CodingKey {
        case organisation, username, firstName = "first_name", lastName = "last_name", email, phone
        case loginKind = "login_kind", contactId = "contact_id", objectId = "object_id"
        case password, passwordConfirm = "password_confirm"
        case isAdmin = "is_admin", isShared = "is_shared", isActive = "is_active", sendLoginDetails = "send_login_details"
        case confirmDeactivate = "confirm_deactivate"
    }

    init() {}

    init(_ user: PortalUserRecord, organisation customer: CustomerRecord) {
        (organisation, username, firstName, lastName) = (customer.customerNumber, user.username, user.firstName, user.lastName)
        (email, phone, loginKind) = (user.email ?? "", user.phone ?? "", user.loginKind.rawValue)
        (contactId, objectId) = (user.contactId.map(String.init) ?? "", user.objectId.map(String.init) ?? "")
        (isAdmin, isShared, isActive) = (user.isAdmin, user.isShared, user.isActive)
    }

    func input(userId: Int?, language: Language) -> SavePortalUser.Input {
        SavePortalUser.Input(userId: userId, organisation: organisation, username: username, firstName: firstName, lastName: lastName,
                             email: email, phone: phone, loginKind: loginKind, contactId: contactId, objectId: objectId,
                             password: password, passwordConfirm: passwordConfirm, isAdmin: isAdmin, isShared: isShared,
                             isActive: isActive, sendLoginDetails: sendLoginDetails, language: language)
    }
}
