import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// E3 in the back office (administrators): the retention policy, a dry run and a real run, the cases on
/// legal hold and the export of one person's data. The run and the export are operations
/// (`RunRetention`, `ExportPersonalData`) that write their audit lines; the ZIP is streamed by
/// `PersonalDataZip`.
struct StaffPrivacyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.privacy, use: show)
        routes.on(StaffRoute.privacySubmit, use: save)
        routes.on(StaffRoute.privacyDryRun, use: dryRun)
        routes.on(StaffRoute.privacyRun, use: run)
        routes.on(StaffRoute.privacyExport, use: export)
    }

    struct RuleRow: Encodable {
        var kind: String
        var label: String
        var actions: [SelectOption]
        var days: String
        var actionError: String?
        var daysError: String?
        /// Chat: nothing to remove yet (the seam in `RetentionClearing`).
        var note: String?
    }

    struct ReportView: Encodable {
        var dryRun: Bool
        var heading: String
        var counts: [Count]
        var total: Int
        var people: Int
        var files: Int
        var sample: [SampleRow]
        struct Count: Encodable { var label: String; var count: Int }
        struct SampleRow: Encodable { var number: Int; var subject: String; var closedAt: String; var kinds: String }
    }

    struct Page: Encodable {
        var layout: Layout
        var tabs: [SettingsTab]
        var rules: [RuleRow]
        var contactEmail: String
        var nightly: Bool
        var errors: [String: String]
        var hasErrors: Bool
        var notice: String?
        var report: ReportView?
        var busy: Bool
        var holds: [HoldRow]
        var hold: LegalHoldForm
        var exportEmail: String
        var privacyPath: String
        struct HoldRow: Encodable { var number: Int; var subject: String; var reason: String; var by: String; var at: String }
    }

    func show(request: Request) async throws -> Response {
        let policy = try await RetentionSettingsStore(database: request.database).load()
        return try await render(request, form: RetentionForm(policy), errors: [:],
                                notice: request.notice([.saved: "privacy_saved", .added: "legal_hold_set", .removed: "legal_hold_released"]))
    }

    func save(request: Request) async throws -> Response {
        let form = try request.form(RetentionForm.self)
        switch try await SaveRetentionPolicy.run(form.input, by: try request.staffMember(), in: request.operations) {
        case .done:
            return request.redirect(to: StaffRoute.privacy, notice: .saved)
        case .problems(let problems):
            return try await render(request, form: form, errors: request.texts(problems, name: \.name), status: .unprocessableEntity)
        }
    }

    func dryRun(request: Request) async throws -> Response {
        try await runRetention(request, dryRun: true)
    }

    func run(request: Request) async throws -> Response {
        try await runRetention(request, dryRun: false)
    }

    func runRetention(_ request: Request, dryRun: Bool) async throws -> Response {
        let report = try await RunRetention.run(dryRun: dryRun, storage: request.caseport.storage, by: try request.staffMember(),
                                                in: request.operations)
        let policy = try await RetentionSettingsStore(database: request.database).load()
        return try await render(request, form: RetentionForm(policy), errors: [:], report: report.map { view($0, request) },
                                busy: report == nil)
    }

    func export(request: Request) async throws -> Response {
        let form = try request.form(PrivacyExportForm.self)
        switch try await ExportPersonalData.run(email: form.email, by: try request.staffMember(), in: request.operations) {
        case .done(let person):
            return PersonalDataZip.response(for: person, request: request)
        case .problems(let problems):
            let policy = try await RetentionSettingsStore(database: request.database).load()
            return try await render(request, form: RetentionForm(policy), errors: request.texts(problems), exportEmail: form.email,
                                    status: .unprocessableEntity)
        }
    }

    func view(_ report: RunRetention.Report, _ request: Request) -> ReportView {
        ReportView(
            dryRun: report.dryRun, heading: request.t(report.dryRun ? "privacy_dry_run_heading" : "privacy_run_heading"),
            counts: RetentionPolicy.Kind.allCases.map { .init(label: request.t($0.labelKey), count: report.cases[$0] ?? 0) },
            total: report.totalCases, people: report.people, files: report.files,
            sample: report.sample.map {
                .init(number: $0.number, subject: $0.subject, closedAt: request.language.formatDateTime($0.closedAt),
                      kinds: $0.kinds.map { request.t($0.labelKey) }.joined(separator: ", "))
            })
    }

    func render(_ request: Request, form: RetentionForm, errors: [String: String], notice: String? = nil,
                report: ReportView? = nil, busy: Bool = false, hold: LegalHoldForm = LegalHoldForm(), exportEmail: String = "",
                status: HTTPResponseStatus = .ok) async throws -> Response {
        let rules = RetentionPolicy.Kind.allCases.map { kind in
            RuleRow(kind: kind.rawValue, label: request.t(kind.labelKey),
                    actions: RetentionPolicy.Action.allCases.map {
                        SelectOption(value: $0.rawValue, name: request.t($0.labelKey), selected: form.actions[kind] == $0.rawValue)
                    },
                    days: form.days[kind] ?? "", actionError: errors["action_\(kind.rawValue)"], daysError: errors["days_\(kind.rawValue)"],
                    note: kind == .chat ? request.t("privacy_chat_note") : nil)
        }
        let holds = try await LegalHolds.list(on: request.database).map {
            Page.HoldRow(number: $0.number, subject: $0.subject, reason: $0.reason, by: $0.by, at: request.language.formatDateTime($0.at))
        }
        let page = Page(layout: Layout(request, title: request.t("privacy_title"), area: "staff"), tabs: SettingsTab.all(request),
                        rules: rules, contactEmail: form.contactEmail, nightly: form.nightly, errors: errors, hasErrors: !errors.isEmpty,
                        notice: notice, report: report, busy: busy, holds: holds, hold: hold, exportEmail: exportEmail,
                        privacyPath: PublicRoute.privacy.path())
        let response = try await request.view.render("staff/privacy", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}

/// The retention policy form: per kind an action select and a days field, the contact address and the
/// nightly switch. Unticked checkboxes are not sent.
struct RetentionForm: PostedForm, Encodable {
    static var longestValue: Int { 300 }
    var actions: [RetentionPolicy.Kind: String] = [:]
    var days: [RetentionPolicy.Kind: String] = [:]
    var contactEmail = ""
    var nightly = false

    enum Names: String, CodingKey {
        case actionContactDetails = "action_contact_details", daysContactDetails = "days_contact_details"
        case actionMessageTexts = "action_message_texts", daysMessageTexts = "days_message_texts"
        case actionFiles = "action_files", daysFiles = "days_files"
        case actionChat = "action_chat", daysChat = "days_chat"
        case contactEmail = "contact_email", nightly
    }

    static let names: [RetentionPolicy.Kind: (Names, Names)] = [
        .contactDetails: (.actionContactDetails, .daysContactDetails), .messageTexts: (.actionMessageTexts, .daysMessageTexts),
        .files: (.actionFiles, .daysFiles), .chat: (.actionChat, .daysChat),
    ]

    init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: Names.self)
        for (kind, (action, days)) in Self.names {
            actions[kind] = try form.decode(String.self, forKey: action)
            self.days[kind] = try form.decode(String.self, forKey: days)
        }
        contactEmail = try form.decode(String.self, forKey: .contactEmail)
        nightly = try form.decode(Bool.self, forKey: .nightly)
    }

    init(_ policy: RetentionPolicy) {
        for kind in RetentionPolicy.Kind.allCases {
            let rule = policy.rule(for: kind)
            actions[kind] = rule.action.rawValue
            days[kind] = rule.action == .keep ? "" : String(rule.days)
        }
        contactEmail = policy.contactEmail
        nightly = policy.nightly
    }

    var input: SaveRetentionPolicy.Input {
        SaveRetentionPolicy.Input(actions: actions, days: days, contactEmail: contactEmail, nightly: nightly)
    }

    enum CodingKeys: String, CodingKey { case contactEmail, nightly }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(contactEmail, forKey: .contactEmail)
        try container.encode(nightly, forKey: .nightly)
    }
}

struct PrivacyExportForm: PostedForm {
    static var longestValue: Int { 300 }
    var email = ""
    enum CodingKeys: String, CodingKey { case email }

    init(from decoder: any Decoder) throws {
        email = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .email)
    }
}
