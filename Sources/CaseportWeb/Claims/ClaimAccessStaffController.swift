import CaseportCore
import CaseportOperations
import CaseportStore
import Vapor

/// What the staff case page's "Customer access" part shows (issue 13, A10, seed 002 "Kundekontakt"):
/// how many people have access, every case contact with their link's state, and grant / fresh link /
/// revoke; the main access settings with their effective value and source. `nil` on a case that is
/// not a claim. Rendered by `staff/claim-access` (one `#extend` on the case page) and on the case's
/// own customer-access page.
struct ClaimAccessPart: Encodable {
    struct Recipient: Encodable {
        var contactId: Int
        var name: String
        var role: String?
        var email: String?
        var phone: String?
        /// "active", "revoked" or "none".
        var state: String
        var stateText: String
        var since: String?
        var lastOpened: String?
        /// The settings name this contact as a recipient of the automatic link.
        var automatic: Bool
        /// Why no link can be sent (no e-mail / phone), shown instead of the grant button.
        var problem: String?
        var error: String?
    }

    struct Summary: Encodable {
        var label: String
        var value: String
        var source: String
        var sourceLevel: String
    }

    var number: Int
    var accessCount: Int
    var recipients: [Recipient]
    var summary: [Summary]
    var expired: Bool

    /// `mayBeClaim`: false when the page has read already that the case is no claim (then nothing is read).
    static func load(_ request: Request, caseId: Int, number: Int, errors: [Int: String] = [:],
                     mayBeClaim: Bool = true) async throws -> ClaimAccessPart? {
        guard mayBeClaim else { return nil }
        let links = ClaimLinks(database: request.database)
        guard let state = try await links.caseState(caseId: caseId), state.isClaim else { return nil }
        let levels = try await ClaimSettingsStore(database: request.database).levels(caseId: caseId)
        let settings = levels.effective
        let smsEnabled = try await SettingsStore(database: request.database).load().smsEnabled
        let now = request.claimOperations.now
        let expired = ClaimLinkRules.isExpired(closedAt: state.closedAt, days: settings.daysAfterClose, now: now)
        let allLinks = try await links.links(caseId: caseId)
        let typeAllowed = ClaimLinkRules.allows(state.policyholderType, under: settings.customerTypes)
        let language = request.language
        let recipients = try await links.contacts(caseId: caseId).map { contact -> Recipient in
            let mine = allLinks.filter { $0.contactId == contact.contactId }
            let active = mine.first { $0.revokedAt == nil }
            let stateName = active != nil ? "active" : (mine.isEmpty ? "none" : "revoked")
            var problem: String?
            if ClaimLinkRulesWeb.channels(email: contact.email, phone: contact.phone, smsEnabled: smsEnabled).isEmpty {
                problem = request.t(smsEnabled ? "claimaccess_error_no_address" : "claimaccess_error_no_email")
            }
            return Recipient(
                contactId: contact.contactId, name: contact.name,
                role: contact.role.map { request.t("claimaccess_role_\($0)") }, email: contact.email, phone: contact.phone,
                state: stateName, stateText: request.t("claimaccess_state_\(stateName)"),
                since: (active ?? mine.first).map { language.formatDateTime(Date(timeIntervalSince1970: $0.revokedAt ?? $0.createdAt)) },
                lastOpened: active?.lastOpenedAt.map { language.formatDateTime(Date(timeIntervalSince1970: $0)) },
                automatic: typeAllowed && contact.isActive && ClaimLinkRules.receives(role: contact.role, under: settings.recipients),
                problem: problem, error: errors[contact.contactId])
        }
        let strings = ClaimSettingsForm.strings(settings)
        let summaryNames = ["linkSent", "recipients", "customerTypes", "smsCode", "daysAfterClose"]
        let summary = ClaimSettingsForm.groups.flatMap(\.settings).filter { summaryNames.contains($0.name) }.map { setting in
            let raw = strings[setting.name] ?? ""
            let level = ClaimAccessPart.source(levels, setting.name)
            return Summary(label: request.t("claimaccess_setting_\(setting.name)"),
                           value: setting.choices.first { $0.0 == raw }.map { request.t($0.1) } ?? raw,
                           source: request.t("claimaccess_source_\(level.rawValue)"), sourceLevel: level.rawValue)
        }
        return ClaimAccessPart(number: number, accessCount: recipients.filter { $0.state == "active" }.count,
                               recipients: recipients, summary: summary, expired: expired)
    }

    /// Where a setting (by JSON name) comes from.
    static func source(_ levels: ClaimPageLevels, _ name: String) -> ClaimPageLevels.Level {
        if ClaimSettingsForm.strings(levels.caseOverride)[name] != nil { return .caseOverride }
        if ClaimSettingsForm.strings(levels.customer)[name] != nil { return .customer }
        return .deployment
    }
}

/// The channels rule as the web needs it (the operation's own is internal to Operations).
enum ClaimLinkRulesWeb {
    static func channels(email: String?, phone: String?, smsEnabled: Bool) -> [String] {
        var channels: [String] = []
        if let email, EmailAddress.isValid(email) { channels.append("email") }
        if smsEnabled, let phone, !phone.isEmpty { channels.append("sms") }
        return channels
    }
}

/// The staff pages of claim access: a case's customer access (recipients, grant, fresh link, revoke
/// with confirmation, the case's own settings) and a customer's settings.
struct ClaimAccessStaffController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(ClaimAccessRoute.caseAccess, use: showCase)
        routes.on(ClaimAccessRoute.caseAccessSubmit, use: saveCase)
        routes.on(ClaimAccessRoute.caseGrant, use: grant)
        routes.on(ClaimAccessRoute.caseRevoke, use: revoke)
        routes.on(ClaimAccessRoute.customerSettings, use: showCustomer)
        routes.on(ClaimAccessRoute.customerSettingsSubmit, use: saveCustomer)
    }

    struct SettingsPage: Encodable {
        var layout: Layout
        var tabs: [SettingsTab]
        var heading: String
        var intro: String
        var action: String
        var groups: [ClaimSettingsForm.GroupView]
        var hasErrors: Bool
        var notice: String?
        var backLink: String?
        var backLabel: String?
        /// The case's customer access above the settings (the case's page only).
        var claimAccess: ClaimAccessPart?
    }

    static let notices: [Notice.Kind: String] = [.saved: "claimaccess_notice_saved", .created: "claimaccess_notice_granted",
                                                 .removed: "claimaccess_notice_revoked"]

    func findCase(_ request: Request) async throws -> CaseRecord {
        guard let number = request.parameters.get("number").flatMap(Int.init),
              let record = try await StaffCases(database: request.database).find(number: number) else { throw Abort(.notFound) }
        return record
    }

    // MARK: The case

    func showCase(request: Request) async throws -> Response {
        try await renderCase(request, record: try await findCase(request), posted: nil, errors: [:], status: .ok)
    }

    func renderCase(_ request: Request, record: CaseRecord, posted: [String: String]?, errors: [String: String],
                    grantErrors: [Int: String] = [:], status: HTTPResponseStatus) async throws -> Response {
        let caseId = try record.requireID()
        guard let part = try await ClaimAccessPart.load(request, caseId: caseId, number: record.number, errors: grantErrors) else {
            throw Abort(.notFound)
        }
        let levels = try await ClaimSettingsStore(database: request.database).levels(caseId: caseId)
        var own = ClaimSettingsForm.strings(levels.caseOverride)
        if let posted { own = Self.ownStrings(posted) }
        let above = ClaimSettingsForm.strings(levels.customer.applied(to: levels.deployment))
        let page = SettingsPage(
            layout: Layout(request, title: request.t("claimaccess_case_title").replacingOccurrences(of: "{number}", with: String(record.number)),
                           area: "staff"),
            tabs: [], heading: request.t("claimaccess_case_title").replacingOccurrences(of: "{number}", with: String(record.number)),
            intro: request.t("claimaccess_case_intro"), action: ClaimAccessRoute.caseAccessSubmit.path(record.number),
            groups: ClaimSettingsForm.rows(request, own: own, above: above, aboveName: "claimaccess_as_customer",
                                           effective: ClaimSettingsForm.strings(levels.effective),
                                           source: { ClaimAccessPart.source(levels, $0) }, errors: errors),
            hasErrors: !errors.isEmpty, notice: request.notice(Self.notices),
            backLink: StaffRoute.case.path(record.number), backLabel: request.t("claimaccess_back_to_case"), claimAccess: part)
        let response = try await request.view.render("staff/claim-settings", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    /// The posted values of the settings only, as the form shows them again.
    static func ownStrings(_ values: [String: String]) -> [String: String] {
        var own: [String: String] = [:]
        for setting in ClaimSettingsForm.groups.flatMap(\.settings) {
            switch setting.kind {
            case .set:
                guard values["\(setting.name)_mode"] == "own" || values["\(setting.name)_mode"] == nil && values["level"] == "deployment" else { continue }
                own[setting.name] = setting.choices.map(\.0).filter { values["\(setting.name)_\($0)"] == "1" }.joined(separator: ",")
            default:
                if let value = values[setting.name], !value.isEmpty { own[setting.name] = value }
            }
        }
        return own
    }

    func saveCase(request: Request) async throws -> Response {
        let record = try await findCase(request)
        let values = request.formValues(longest: SaveClaimPageSettings.moreInformationLimit)
        let (overrides, days) = ClaimSettingsForm.overrides(from: values, inherit: true)
        switch try await SaveClaimPageSettings.run(.init(overrides: overrides, daysText: days), at: .claim(caseNumber: record.number),
                                                   by: try request.staffMember(), in: request.operations) {
        case .done: return request.redirect(to: ClaimAccessRoute.caseAccess, record.number, notice: .saved)
        case .problems(let problems):
            return try await renderCase(request, record: record, posted: values, errors: Self.errors(request, problems),
                                        status: .unprocessableEntity)
        }
    }

    static func errors(_ request: Request, _ problems: Problems<SaveClaimPageSettings.Field>) -> [String: String] {
        var errors: [String: String] = [:]
        for setting in ClaimSettingsForm.groups.flatMap(\.settings) {
            if let field = ClaimSettingsForm.problemField(setting.name), let key = problems[field] { errors[setting.name] = request.t(key) }
        }
        return errors
    }

    struct ContactForm: PostedForm {
        var contact: Int?
    }

    func grant(request: Request) async throws -> Response {
        let record = try await findCase(request)
        let form = try request.form(ContactForm.self)
        let outcome = try await GrantClaimAccess.run(caseNumber: record.number, contactId: form.contact ?? 0,
                                                     by: try request.staffMember(), in: request.claimOperations)
        switch outcome {
        case .done: return request.redirect(to: ClaimAccessRoute.caseAccess, record.number, notice: .created, fragment: "customer-access")
        case .problems(let problems):
            let text = problems[.contact].map { request.t($0) } ?? request.t("error_bad_request")
            return try await renderCase(request, record: record, posted: nil, errors: [:],
                                        grantErrors: [form.contact ?? 0: text], status: .unprocessableEntity)
        }
    }

    func revoke(request: Request) async throws -> Response {
        let record = try await findCase(request)
        let form = try request.form(ContactForm.self)
        // The confirmation page posts back to this path with the contact in its query.
        guard let contactId = form.contact ?? (try? request.query.get(Int.self, at: "contact")),
              let contact = try await ClaimLinks(database: request.database).contacts(caseId: try record.requireID())
                .first(where: { $0.contactId == contactId }) else { throw Abort(.notFound) }
        guard ConfirmStep.isConfirmed(request) else {
            return try await ConfirmStep(
                layout: Layout(request, title: request.t("claimaccess_revoke_title"), area: "staff"),
                heading: request.t("claimaccess_revoke_title"),
                question: request.t("claimaccess_revoke_question").replacingOccurrences(of: "{name}", with: contact.name),
                detail: request.t("claimaccess_revoke_detail"), action: request.url.path + "?contact=\(contactId)",
                button: request.t("claimaccess_revoke"), cancelHref: ClaimAccessRoute.caseAccess.path(record.number)).response(request)
        }
        try await RevokeClaimAccess.run(caseNumber: record.number, contactId: contactId, by: try request.staffMember(),
                                        in: request.operations)
        return request.redirect(to: ClaimAccessRoute.caseAccess, record.number, notice: .removed, fragment: "customer-access")
    }

    // MARK: A customer

    func showCustomer(request: Request) async throws -> Response {
        try await renderCustomer(request, posted: nil, errors: [:], status: .ok)
    }

    func renderCustomer(_ request: Request, posted: [String: String]?, errors: [String: String],
                        status: HTTPResponseStatus) async throws -> Response {
        guard let id = request.parameters.get("id").flatMap(Int.init),
              let customer = try await CustomerRecord.find(id, on: request.database) else { throw Abort(.notFound) }
        let store = ClaimSettingsStore(database: request.database)
        let deployment = try await store.deployment()
        let level = try await store.customer(id)
        let levels = ClaimPageLevels(deployment: deployment, customer: level)
        let own = posted.map(Self.ownStrings) ?? ClaimSettingsForm.strings(level)
        let title = request.t("claimaccess_customer_title").replacingOccurrences(of: "{name}", with: customer.name)
        let page = SettingsPage(
            layout: Layout(request, title: title, area: "staff"), tabs: [], heading: title,
            intro: request.t("claimaccess_customer_intro"), action: ClaimAccessRoute.customerSettingsSubmit.path(id),
            groups: ClaimSettingsForm.rows(request, own: own, above: ClaimSettingsForm.strings(deployment),
                                           aboveName: "claimaccess_as_deployment",
                                           effective: ClaimSettingsForm.strings(levels.effective),
                                           source: { ClaimAccessPart.source(levels, $0) }, errors: errors),
            hasErrors: !errors.isEmpty, notice: request.notice(Self.notices),
            backLink: StaffRoute.customer.path(id), backLabel: customer.name, claimAccess: nil)
        let response = try await request.view.render("staff/claim-settings", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    func saveCustomer(request: Request) async throws -> Response {
        guard let id = request.parameters.get("id").flatMap(Int.init) else { throw Abort(.notFound) }
        let values = request.formValues(longest: SaveClaimPageSettings.moreInformationLimit)
        let (overrides, days) = ClaimSettingsForm.overrides(from: values, inherit: true)
        switch try await SaveClaimPageSettings.run(.init(overrides: overrides, daysText: days), at: .customer(id: id),
                                                   by: try request.staffMember(), in: request.operations) {
        case .done: return request.redirect(to: ClaimAccessRoute.customerSettings, id, notice: .saved)
        case .problems(let problems):
            return try await renderCustomer(request, posted: values, errors: Self.errors(request, problems), status: .unprocessableEntity)
        }
    }
}

/// The deployment's default (administrators only, in the staff settings).
struct ClaimSettingsAdminController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(ClaimAccessRoute.settings, use: show)
        routes.on(ClaimAccessRoute.settingsSubmit, use: save)
    }

    func show(request: Request) async throws -> Response {
        try await render(request, posted: nil, errors: [:], status: .ok)
    }

    func render(_ request: Request, posted: [String: String]?, errors: [String: String],
                status: HTTPResponseStatus) async throws -> Response {
        let deployment = try await ClaimSettingsStore(database: request.database).deployment()
        var own = ClaimSettingsForm.strings(deployment)
        if let posted {
            var values = posted
            values["level"] = "deployment"
            own = ClaimAccessStaffController.ownStrings(values)
        }
        let page = ClaimAccessStaffController.SettingsPage(
            layout: Layout(request, title: request.t("claimaccess_settings_title"), area: "staff"),
            tabs: SettingsTab.all(request), heading: request.t("claimaccess_settings_title"),
            intro: request.t("claimaccess_settings_intro"), action: ClaimAccessRoute.settingsSubmit.path(),
            groups: ClaimSettingsForm.rows(request, own: own, above: nil, aboveName: nil,
                                           effective: ClaimSettingsForm.strings(deployment),
                                           source: { _ in .deployment }, errors: errors),
            hasErrors: !errors.isEmpty, notice: request.notice(ClaimAccessStaffController.notices),
            backLink: nil, backLabel: nil, claimAccess: nil)
        let response = try await request.view.render("staff/claim-settings", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    func save(request: Request) async throws -> Response {
        let values = request.formValues(longest: SaveClaimPageSettings.moreInformationLimit)
        let (overrides, days) = ClaimSettingsForm.overrides(from: values, inherit: false)
        switch try await SaveClaimPageSettings.run(.init(overrides: overrides, daysText: days), at: .deployment,
                                                   by: try request.staffMember(), in: request.operations) {
        case .done: return request.redirect(to: ClaimAccessRoute.settings, notice: .saved)
        case .problems(let problems):
            return try await render(request, posted: values, errors: ClaimAccessStaffController.errors(request, problems),
                                    status: .unprocessableEntity)
        }
    }
}
