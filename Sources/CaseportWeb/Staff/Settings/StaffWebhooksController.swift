import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Webhook subscriptions (issue 16, point 3), administrators only: the list with a form for a new one;
/// one subscription's page with its form, its secret, its latest deliveries with every attempt's
/// answer, and "send again". The changes are the `SaveWebhook`, `RemoveWebhook` and `RedeliverWebhook`
/// operations.
struct StaffWebhooksController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.webhooks, use: list)
        routes.on(StaffRoute.webhookCreate, use: create)
        routes.on(StaffRoute.webhook, use: show)
        routes.on(StaffRoute.webhookUpdate, use: update)
        routes.on(StaffRoute.webhookDelete, use: remove)
        routes.on(StaffRoute.webhookRedeliver, use: redeliver)
    }

    struct KindBox: Encodable {
        var name: String
        var label: String
        var checked: Bool
        /// Staff-only by default (internal notes, handler changes): a subscriber gets them only by choice.
        var staffOnly: Bool
    }

    struct Row: Encodable {
        var id: Int
        var url: String
        var description: String
        var kinds: String
        var state: String
        var failing: Bool
    }

    struct FormValues: Encodable {
        var url: String
        var description: String
        var active: Bool
        var kinds: [KindBox]
        var errors: [String: String]
    }

    struct ListPage: Encodable {
        var layout: Layout
        var tabs: [SettingsTab]
        var notice: String?
        var rows: [Row]
        var form: FormValues
    }

    struct Attempt: Encodable {
        var at: String
        var status: String
        var excerpt: String
    }

    struct Delivery: Encodable {
        var id: Int
        var eventId: Int
        var kind: String
        var status: String
        var failed: Bool
        var attempts: [Attempt]
        var canRedeliver: Bool
    }

    struct DetailPage: Encodable {
        var layout: Layout
        var tabs: [SettingsTab]
        var notice: String?
        var id: Int
        var secret: String
        var state: String
        var failing: Bool
        var form: FormValues
        var deliveries: [Delivery]
    }

    // MARK: Pages

    func list(request: Request) async throws -> Response {
        try await renderList(request, form: nil, errors: [:])
    }

    func renderList(_ request: Request, form: WebhookForm?, errors: [String: String]) async throws -> Response {
        let records = try await WebhookSubscriptionRecord.query(on: request.database).sort(\.$id).all()
        let rows = records.map { record in
            Row(id: record.id!, url: record.url, description: record.description,
                kinds: record.kindNames.map { request.t("webhook_kind_\($0)") }.joined(separator: ", "),
                state: state(record, request), failing: record.failingSince != nil || !record.isActive)
        }
        let values = FormValues(url: form?.url ?? "", description: form?.description ?? "", active: true,
                                kinds: kindBoxes(request, checked: form?.kinds ?? []), errors: errors)
        let page = ListPage(layout: Layout(request, title: request.t("webhooks_title"), area: "staff"),
                            tabs: SettingsTab.all(request),
                            notice: request.notice([.deleted: "webhooks_notice_deleted"]), rows: rows, form: values)
        let response = try await request.view.render("staff/settings-webhooks", page).encodeResponse(for: request).get()
        if !errors.isEmpty { response.status = .unprocessableEntity }
        return response
    }

    func show(request: Request) async throws -> Response {
        try await renderDetail(request, id: try id(request), form: nil, errors: [:])
    }

    func renderDetail(_ request: Request, id: Int, form: WebhookForm?, errors: [String: String]) async throws -> Response {
        guard let record = try await WebhookSubscriptionRecord.find(id, on: request.database) else { throw Abort(.notFound) }
        let queue = WebhookQueue(database: request.database)
        let deliveries = try await queue.recent(subscriptionId: id)
        let attempts = Dictionary(grouping: try await queue.attempts(deliveryIds: deliveries.compactMap(\.id)), by: \.deliveryId)
        let language = request.language
        let values = FormValues(url: form?.url ?? record.url, description: form?.description ?? record.description,
                                active: form?.active ?? record.isActive,
                                kinds: kindBoxes(request, checked: form?.kinds ?? record.kindNames), errors: errors)
        let page = DetailPage(
            layout: Layout(request, title: request.t("webhook_title"), area: "staff"), tabs: SettingsTab.all(request),
            notice: request.notice([.saved: "webhooks_notice_saved", .created: "webhooks_notice_created",
                                    .retried: "webhooks_notice_redelivered"]),
            id: id, secret: record.secret, state: state(record, request), failing: record.failingSince != nil || !record.isActive,
            form: values,
            deliveries: deliveries.map { delivery in
                Delivery(id: delivery.id!, eventId: delivery.eventId, kind: request.t("webhook_kind_\(delivery.eventKind)"),
                         status: request.t("webhook_delivery_\(delivery.status)"), failed: delivery.status == "failed",
                         attempts: (attempts[delivery.id!] ?? []).map { attempt in
                             Attempt(at: language.formatDateTime(Date(timeIntervalSince1970: attempt.at)),
                                     status: attempt.statusCode.map(String.init) ?? "–", excerpt: attempt.excerpt)
                         },
                         canRedeliver: delivery.status != "sending")
            })
        let response = try await request.view.render("staff/settings-webhook", page).encodeResponse(for: request).get()
        if !errors.isEmpty { response.status = .unprocessableEntity }
        return response
    }

    // MARK: Posts

    func create(request: Request) async throws -> Response {
        let form = try request.form(WebhookForm.self)
        switch try await SaveWebhook.run(form.input(id: nil), policy: request.webhookPolicy, by: try request.staffMember(),
                                         in: request.operations) {
        case .done(let id): return request.redirect(to: StaffRoute.webhook, id, notice: .created)
        case .problems(let problems): return try await renderList(request, form: form, errors: request.texts(problems))
        }
    }

    func update(request: Request) async throws -> Response {
        let id = try id(request)
        let form = try request.form(WebhookForm.self)
        switch try await SaveWebhook.run(form.input(id: id), policy: request.webhookPolicy, by: try request.staffMember(),
                                         in: request.operations) {
        case .done: return request.redirect(to: StaffRoute.webhook, id, notice: .saved)
        case .problems(let problems): return try await renderDetail(request, id: id, form: form, errors: request.texts(problems))
        }
    }

    func remove(request: Request) async throws -> Response {
        // Issue 12 point 7: deleting a webhook asks first.
        guard ConfirmStep.isConfirmed(request) else {
            let id = try id(request)
            return try await ConfirmStep.staff(request, titleKey: "confirm_webhook_delete_title",
                                               question: request.t("confirm_webhook_delete_question"),
                                               button: request.t("webhook_delete"), cancelHref: StaffRoute.webhook.path(id))
        }
        try await RemoveWebhook.run(subscriptionId: try id(request), by: try request.staffMember(), in: request.operations)
        return request.redirect(to: StaffRoute.webhooks, notice: .deleted)
    }

    func redeliver(request: Request) async throws -> Response {
        let id = try id(request)
        guard let delivery = request.parameters.get("delivery").flatMap(Int.init) else { throw Abort(.notFound) }
        try await RedeliverWebhook.run(subscriptionId: id, deliveryId: delivery, by: try request.staffMember(), in: request.operations)
        return request.redirect(to: StaffRoute.webhook, id, notice: .retried, fragment: "deliveries")
    }

    // MARK: Helpers

    private func id(_ request: Request) throws -> Int {
        guard let id = request.parameters.get("id").flatMap(Int.init) else { throw Abort(.notFound) }
        return id
    }

    private func state(_ record: WebhookSubscriptionRecord, _ request: Request) -> String {
        if !record.isActive { return request.t(record.disabledAt == nil ? "webhooks_state_off" : "webhooks_state_disabled") }
        return request.t(record.failingSince == nil ? "webhooks_state_on" : "webhooks_state_failing")
    }

    private func kindBoxes(_ request: Request, checked: [String]) -> [KindBox] {
        CaseEvent.Kind.allCases.map { kind in
            KindBox(name: kind.rawValue, label: request.t("webhook_kind_\(kind.rawValue)"), checked: checked.contains(kind.rawValue),
                    staffOnly: Self.staffOnlyKinds.contains(kind))
        }
    }

    /// The kinds whose events are staff-only by default (`CaseEvent.defaultAudience`), marked on the form.
    static let staffOnlyKinds: Set<CaseEvent.Kind> = [.internalNote, .handlerChanged, .supplierChanged, .approvalReminderSent,
                                                      .createdFromInquiry, .contactLinked, .contactUnlinked]
}

/// A webhook subscription's form: the URL, a description, one checkbox per event kind
/// (`kind_<name>`), and on an existing subscription "active" and "new secret".
struct WebhookForm: PostedForm, Encodable {
    static var longestValue: Int { 2_001 }
    var url = "", description = "", active = false, newSecret = false
    var kinds: [String] = []

    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: PostedName.self)
        url = try posted.decode(String.self, forKey: PostedName("url"))
        description = try posted.decode(String.self, forKey: PostedName("description"))
        active = try posted.decode(Bool.self, forKey: PostedName("active"))
        newSecret = try posted.decode(Bool.self, forKey: PostedName("new_secret"))
        kinds = posted.allKeys.compactMap { key in
            guard let name = key.suffix(after: "kind_"), FormValueDecoder.ticked(try? posted.decode(String.self, forKey: key)) else { return nil }
            return name
        }
    }

    func input(id: Int?) -> SaveWebhook.Input {
        SaveWebhook.Input(subscriptionId: id, url: url, description: description, kinds: kinds, isActive: id == nil || active,
                          newSecret: newSecret)
    }
}

extension Request {
    /// What webhook URLs may reach: the operator's allowed networks, the system resolver.
    var webhookPolicy: SaveWebhook.TargetPolicy {
        SaveWebhook.TargetPolicy(allowed: caseport.config.webhooks.allowedNetworks)
    }
}
