import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Portal users in the back office: list, create, edit, deactivate, and unlock an account that
/// five failed logins locked (A2). The lock is counted per typed organisation + username, and the
/// organisation may be typed as name, short code or customer number, so unlocking clears all three.
extension MasterDataController {
    static func lockKeys(for user: PortalUserRecord, organisation: CustomerRecord) -> [String] {
        // The account's own counter (A2), plus the typed keys counters were kept under before.
        [PortalAccounts.accountKey(organisationId: user.organisationId, username: user.username)]
            + Set([organisation.name, organisation.shortCode, organisation.customerNumber]).map {
                LoginThrottle.key(realm: "portal", organisation: $0, username: user.username)
            }
    }

    static func isLocked(_ user: PortalUserRecord, organisation: CustomerRecord, on db: any Database) async throws -> Bool {
        let attempts = LoginAttempts(database: db)
        for key in lockKeys(for: user, organisation: organisation) where try await attempts.isLocked(key: key) { return true }
        return false
    }

    func portalUsers(request: Request) async throws -> View {
        let q = request.searchText
        let customer = try await Self.customerFilter(request)
        func filtered() -> QueryBuilder<PortalUserRecord> {
            let query = PortalUserRecord.query(on: request.db)
            if let id = customer?.id { query.filter(\.$organisationId == id) }
            if !q.isEmpty {
                let like = TextSearch.like(request.db), pattern = TextSearch.pattern(q)
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
        let organisations = Dictionary(uniqueKeysWithValues: try await CustomerRecord.query(on: request.db)
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
        var values = ["is_active": "1", "login_kind": PortalLoginKind.contact.rawValue]
        if let customer = try await Self.customerFilter(request) { values["organisation"] = customer.customerNumber }
        return try await renderPortalUser(request, target: nil, organisation: nil, values: values, errors: [:], status: .ok)
    }

    func editPortalUser(request: Request) async throws -> Response {
        guard let target = try await PortalUserRecord.find(try Self.id(request), on: request.db),
              let organisation = try await CustomerRecord.find(target.organisationId, on: request.db) else { throw Abort(.notFound) }
        var values = ["organisation": organisation.customerNumber, "username": target.username, "first_name": target.firstName,
                      "last_name": target.lastName, "email": target.email ?? "", "phone": target.phone ?? "",
                      "login_kind": target.loginKind.rawValue, "contact_id": target.contactId.map(String.init) ?? "",
                      "object_id": target.objectId.map(String.init) ?? ""]
        if target.isAdmin { values["is_admin"] = "1" }
        if target.isShared { values["is_shared"] = "1" }
        if target.isActive { values["is_active"] = "1" }
        return try await renderPortalUser(request, target: target, organisation: organisation, values: values, errors: [:], status: .ok)
    }

    func savePortalUser(request: Request) async throws -> Response {
        var target: PortalUserRecord?
        if request.parameters.get("id") != nil {
            guard let found = try await PortalUserRecord.find(try Self.id(request), on: request.db) else { throw Abort(.notFound) }
            target = found
        }
        let values = request.formValues(longest: 1_000)
        var errors: [String: String] = [:]
        for key in ["first_name", "last_name", "username"] { Self.requireText(request, values, key, into: &errors) }
        Self.requireText(request, values, "organisation", into: &errors, limit: 50)
        Self.requireText(request, values, "email", into: &errors, limit: InputLimits.email, required: false)
        Self.requireText(request, values, "phone", into: &errors, limit: InputLimits.phone, required: false)
        let email = (values["email"] ?? "").trimmed
        if errors["email"] == nil, !email.isEmpty, !email.looksLikeEmail { errors["email"] = request.t("form_invalid_email") }
        let sendDetails = values["send_login_details"] != nil
        if sendDetails, email.isEmpty { errors["email"] = request.t("users_error_email_for_details") }
        var organisation: CustomerRecord?
        if errors["organisation"] == nil {
            organisation = try await Self.customer(number: values["organisation"]!, on: request.db)
            if organisation == nil { errors["organisation"] = request.t("md_error_unknown_customer") }
        }
        let kind = PortalLoginKind(rawValue: values["login_kind"] ?? "")
        if kind == nil { errors["login_kind"] = request.t("form_required") }
        var contactId: Int?, objectId: Int?
        let contactText = (values["contact_id"] ?? "").trimmed, objectText = (values["object_id"] ?? "").trimmed
        if kind == .contact, !contactText.isEmpty {
            if let id = Int(contactText.prefix(12)), try await ContactRecord.find(id, on: request.db) != nil { contactId = id }
            else { errors["contact_id"] = request.t("md_error_unknown_contact") }
        }
        if kind == .object {
            if objectText.isEmpty { errors["object_id"] = request.t("form_required") }
            else if let id = Int(objectText.prefix(12)), let object = try await ObjectRecord.find(id, on: request.db) {
                if let organisation, object.customerId != organisation.id { errors["object_id"] = request.t("md_error_object_other_customer") }
                objectId = id
            } else { errors["object_id"] = request.t("md_error_unknown_object") }
        }
        if errors["username"] == nil, let organisation {
            let clash = try await PortalUserRecord.query(on: request.db).filter(\.$organisationId == organisation.id!)
                .filter(\.$usernameKey == LoginKey.fold(values["username"]!)).first()
            if let clash, clash.id != target?.id { errors["username"] = request.t("users_error_username_taken") }
        }
        let password = values["password"] ?? "", confirmation = values["password_confirm"] ?? ""
        if !password.isEmpty {
            let policy = try await SettingsStore(database: request.db).load().passwordPolicy
            let problems = policy.problems(with: password)
            if !problems.isEmpty { errors["password"] = problems.map { request.t($0.rawValue) }.joined(separator: " ") }
            else if password != confirmation { errors["password_confirm"] = request.t("password_mismatch") }
        } else if target == nil, !sendDetails {
            errors["password"] = request.t("users_error_password_or_details")
        }
        guard errors.isEmpty, let organisation, let kind else {
            return try await renderPortalUser(request, target: target, organisation: organisation, values: values, errors: errors,
                                              status: .unprocessableEntity)
        }
        let hash = password.isEmpty ? (target == nil ? try await request.caseport.passwords.hash(Sessions.newToken()) : nil)
            : try await request.caseport.passwords.hash(password)
        let record = target ?? PortalUserRecord()
        var changes = ChangeList()
        changes.compare("organisation", target.map { String($0.organisationId) }, String(organisation.id!))
        changes.compare("username", target?.username, values["username"]!.trimmed)
        changes.compare("name", target?.displayName, "\(values["first_name"]!.trimmed) \(values["last_name"]!.trimmed)")
        changes.compare("email", target?.email, email.nilIfEmpty)
        changes.compare("phone", target?.phone, values["phone"]?.trimmed.nilIfEmpty)
        var access = ChangeList()
        access.compare("login kind", target?.loginKind.rawValue, kind.rawValue)
        access.compare("contact", target?.contactId.map(String.init), contactId.map(String.init))
        access.compare("object", target?.objectId.map(String.init), objectId.map(String.init))
        access.compare("admin", target.map { String($0.isAdmin) }, String(values["is_admin"] != nil))
        access.compare("shared", target.map { String($0.isShared) }, String(values["is_shared"] != nil))
        let wasActive = target?.isActive
        record.organisationId = organisation.id!
        record.username = values["username"]!.trimmed
        record.usernameKey = LoginKey.fold(record.username)
        record.firstName = values["first_name"]!.trimmed
        record.lastName = values["last_name"]!.trimmed
        record.email = email.nilIfEmpty
        record.phone = values["phone"]?.trimmed.nilIfEmpty
        record.loginKind = kind
        record.contactId = kind == .contact ? contactId : nil
        record.objectId = kind == .object ? objectId : nil
        record.isAdmin = values["is_admin"] != nil
        record.isShared = values["is_shared"] != nil
        record.isActive = values["is_active"] != nil
        if let hash { record.passwordHash = hash }
        let isNew = target == nil, changeText = changes.text
        let accessText = access.text
        do {
            try await request.db.transaction { tx in
                try await record.save(on: tx)
                let subject = "portal user \(record.id!) \(organisation.customerNumber)/\(record.username)"
                if isNew {
                    try await request.audit(.accessChanged, subject: subject,
                                            details: "created, \(kind.rawValue)\(record.isActive ? "" : ", inactive")", on: tx)
                } else {
                    if let details = changeText { try await request.audit(.masterDataChanged, subject: subject, details: details, on: tx) }
                    if let details = accessText { try await request.audit(.accessChanged, subject: subject, details: details, on: tx) }
                    if wasActive != record.isActive {
                        try await request.audit(.accessChanged, subject: subject, details: record.isActive ? "reactivated" : "deactivated", on: tx)
                    }
                    if !password.isEmpty { try await request.audit(.accessChanged, subject: subject, details: "password set by staff", on: tx) }
                }
                if sendDetails, let email = record.email {
                    try await PortalUsersController.queueLoginDetails(request, user: record, email: email, organisation: organisation, on: tx)
                }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Someone saved the same unique value between the check and the write.
            return try await renderPortalUser(request, target: target, organisation: organisation, values: values, errors: ["username": request.t("md_error_saved_meanwhile")], status: .conflict)
        }
        if target != nil, !record.isActive || !password.isEmpty {
            try await Sessions(database: request.db).endAll(realm: .portal, userId: record.id!)
        }
        return request.redirect(to: StaffRoute.portalUser, record.id!, notice: target == nil ? .created : .saved)
    }

    func unlockPortalUser(request: Request) async throws -> Response {
        guard let target = try await PortalUserRecord.find(try Self.id(request), on: request.db),
              let organisation = try await CustomerRecord.find(target.organisationId, on: request.db) else { throw Abort(.notFound) }
        let attempts = LoginAttempts(database: request.db)
        for key in Self.lockKeys(for: target, organisation: organisation) { try await attempts.clear(key: key) }
        try await request.audit(.accountUnlocked, subject: "portal user \(target.id!) \(organisation.customerNumber)/\(target.username)")
        return request.redirect(to: StaffRoute.portalUser, target.id!, notice: .unlocked)
    }

    func renderPortalUser(_ request: Request, target: PortalUserRecord?, organisation: CustomerRecord?, values: [String: String],
                          errors: [String: String], status: HTTPResponseStatus) async throws -> Response {
        let policy = try await SettingsStore(database: request.db).load().passwordPolicy
        let fields: [MasterDataPages.Field] = [
            .init(name: "organisation", label: request.t("md_organisation_number"), value: values["organisation"] ?? "",
                  error: errors["organisation"], required: true, hint: request.t("md_customer_number_hint"), maxLength: 50),
            .init(name: "username", label: request.t("login_username"), value: values["username"] ?? "", error: errors["username"],
                  required: true),
            .init(name: "first_name", label: request.t("person_first_name"), value: values["first_name"] ?? "",
                  error: errors["first_name"], required: true),
            .init(name: "last_name", label: request.t("person_last_name"), value: values["last_name"] ?? "",
                  error: errors["last_name"], required: true),
            .init(name: "email", label: request.t("md_email"), kind: "email", value: values["email"] ?? "", error: errors["email"],
                  maxLength: InputLimits.email),
            .init(name: "phone", label: request.t("md_phone"), kind: "tel", value: values["phone"] ?? "", error: errors["phone"],
                  maxLength: InputLimits.phone),
            .init(name: "login_kind", label: request.t("md_login_kind"), kind: "select", error: errors["login_kind"],
                  options: PortalLoginKind.allCases.map {
                      SelectOption(value: $0.rawValue, name: request.t("md_login_kind_\($0.rawValue)"), selected: values["login_kind"] == $0.rawValue)
                  }, hint: request.t("md_login_kind_hint")),
            .init(name: "contact_id", label: request.t("md_contact_id"), value: values["contact_id"] ?? "", error: errors["contact_id"],
                  hint: request.t("md_contact_id_hint"), maxLength: 12),
            .init(name: "object_id", label: request.t("md_object_id"), value: values["object_id"] ?? "", error: errors["object_id"],
                  hint: request.t("md_object_id_hint"), maxLength: 12),
            .init(name: "password", label: request.t("login_password"), kind: "password", error: errors["password"],
                  hint: PortalUsersController.describe(policy, request: request) + (target == nil ? "" : " " + request.t("user_password_keep"))),
            .init(name: "password_confirm", label: request.t("password_confirm"), kind: "password", error: errors["password_confirm"]),
            .init(name: "is_admin", label: request.t("user_admin"), kind: "checkbox", checked: values["is_admin"] != nil),
            .init(name: "is_shared", label: request.t("user_shared"), kind: "checkbox", checked: values["is_shared"] != nil),
            .init(name: "is_active", label: request.t("md_active_label"), kind: "checkbox", checked: values["is_active"] != nil),
            .init(name: "send_login_details", label: request.t("user_send_login_details"), kind: "checkbox",
                  checked: values["send_login_details"] != nil),
        ]
        var lock: MasterDataPages.LockState?
        var related: [MasterDataPages.Related] = []
        if let target, let organisation, let id = target.id {
            lock = .init(locked: try await Self.isLocked(target, organisation: organisation, on: request.db),
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
