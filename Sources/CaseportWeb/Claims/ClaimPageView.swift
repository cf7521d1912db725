import CaseportCore
import CaseportOperations
import CaseportStore
import Vapor

/// The tabs of the claim's customer page (seed 002's tab bar), each shown from its moment (C7).
enum ClaimTab: String, CaseIterable, Sendable {
    case overview, plan, messages, documents, budget

    var route: ClaimPageRoute {
        switch self {
        case .overview: .overview
        case .plan: .plan
        case .messages: .messages
        case .documents: .documents
        case .budget: .budget
        }
    }

    func moment(_ settings: ClaimPageSettings) -> ClaimMoment {
        switch self {
        case .overview: settings.overview
        case .plan: settings.projectPlan
        case .messages: settings.messages
        case .documents: settings.documents
        case .budget: settings.budget
        }
    }
}

/// Builds and renders `claim/page` for a viewer (a visitor, or staff previewing as a recipient).
enum ClaimPageView {
    /// The case's effective settings and how far it has come, read once per request.
    struct Situation {
        var settings: ClaimPageSettings
        var progress: ClaimProgress

        static func load(_ request: Request, caseId: Int) async throws -> Situation {
            let store = ClaimSettingsStore(database: request.database)
            return Situation(settings: try await store.levels(caseId: caseId).effective, progress: try await store.progress(caseId: caseId))
        }

        func isShown(_ tab: ClaimTab) -> Bool { progress.hasReached(tab.moment(settings)) }
    }

    /// The staff preview's banner and its recipient choice.
    struct Preview: Encodable {
        var number: Int
        var name: String
        var contactId: Int?
        var recipients: [SelectOption]
    }

    /// What the visitor typed, given back after a refused post.
    struct Written {
        var body = ""
        var errors: [String: String] = [:]
        var refused = false
    }

    struct TabLink: Encodable {
        var key: String
        var name: String
        var href: String
        var current: Bool
    }

    struct Fact: Encodable {
        var label: String
        var value: String
        var href: String?
    }

    struct FeedLine: Encodable {
        var at: String
        var text: String
    }

    struct TaskView: Encodable {
        var id: Int
        var title: String
        var kind: String
        var state: String
        var when: String?
        var supplier: String?
        var supplierPhone: String?
        var responsible: String?
        var responsiblePhone: String?
        var description: String
        var hasMedia: Bool
    }

    struct MessageView: Encodable {
        var author: String
        var fromCompany: Bool
        var at: String
        var body: String
        var files: [FileLink]
    }

    struct FileLink: Encodable {
        var name: String
        var href: String
    }

    struct DocumentView: Encodable {
        var type: String
        var title: String
        var href: String
        var madeBy: String
        var createdAt: String
    }

    struct BudgetLineView: Encodable {
        var description: String
        var quantity: String
        var unitPrice: String
        var amount: String
    }

    struct Page: Encodable {
        var layout: Layout
        var tab: String
        var tabs: [TabLink]
        var preview: Preview?
        var isPreview = false
        var notice: String?
        /// The tab's moment has not come: the calm "not available yet" text instead of the content.
        var unavailable: Bool
        var caseNumber: Int
        var subject: String
        var moreInformation: String?
        // Overview
        var facts: [Fact] = []
        var showFeed = false
        var feed: [FeedLine] = []
        var feedNewer: String?
        var feedOlder: String?
        var feedPaging = false
        var showPlan = false
        var plan: [TaskView] = []
        // Project plan
        var tasks: [TaskView] = []
        // Messages
        var messages: [MessageView] = []
        var canWrite = false
        var writeDisabled = false
        var directionNote: String?
        var body = ""
        var errors: [String: String] = [:]
        var refused = false
        var formAction = ""
        var maxUploadMegabytes = UploadReceiver.maximumFileBytes / 1_048_576
        // Documents
        var documents: [DocumentView] = []
        // Budget
        var budget: [BudgetLineView] = []
        var budgetTotal = ""
    }

    static let feedPageSize = 20

    /// The calm page for a visitor without a personal-link session.
    /// `notAClaim`: staff previewing an ordinary case (it has no customer page).
    static func noLink(_ request: Request, notAClaim: Bool = false) async throws -> Response {
        struct Context: Encodable { var layout: Layout; var notAClaim: Bool }
        let layout = Layout(request, title: request.t(notAClaim ? "claim_not_a_claim" : "claim_no_link_title"),
                            area: notAClaim ? "staff" : "claim")
        return try await request.view.render("claim/no-link", Context(layout: layout, notAClaim: notAClaim)).encodeResponse(for: request).get()
    }

    static func render(_ request: Request, viewer: ClaimViewer, tab: ClaimTab, preview: Preview?, written: Written = Written(),
                       status: HTTPResponseStatus = .ok) async throws -> Response {
        let db = request.database
        let query = ClaimPage(database: db)
        let language = request.language
        guard let info = try await query.info(caseId: viewer.caseId) else {
            // Not a claim (a preview of an ordinary case): the calm page, nothing of the case shown.
            return try await noLink(request, notAClaim: preview != nil)
        }
        let situation = try await Situation.load(request, caseId: viewer.caseId)
        let settings = situation.settings
        func href(_ target: ClaimTab, query items: [(String, String?)] = []) -> String {
            if let preview {
                return ClaimPageRoute.preview.path([String(preview.number)],
                                                   query: [("contact", preview.contactId.map(String.init)), ("tab", target.rawValue)] + items)
            }
            return target.route.path([], query: items)
        }
        let tabs = ClaimTab.allCases.filter { situation.isShown($0) }.map {
            TabLink(key: $0.rawValue, name: request.t("claim_tab_\($0.rawValue)"), href: href($0), current: $0 == tab)
        }
        let title = request.t("claim_tab_\(tab.rawValue)")
        var page = Page(layout: Layout(request, title: title, area: preview == nil ? "claim" : "staff"), tab: tab.rawValue, tabs: tabs,
                        preview: preview, notice: request.notice([.message: "claim_notice_message"]),
                        unavailable: !situation.isShown(tab), caseNumber: info.number, subject: info.subject,
                        moreInformation: settings.moreInformation.isEmpty ? nil : settings.moreInformation)
        page.isPreview = preview != nil
        page.body = written.body
        page.errors = written.errors
        page.refused = written.refused
        func when(_ starts: Date?, _ ends: Date?) -> String? {
            switch (starts, ends) {
            case let (s?, e?): return "\(language.formatDateTime(s)) – \(language.formatDateTime(e))"
            case let (s?, nil): return language.formatDateTime(s)
            case let (nil, e?): return "– \(language.formatDateTime(e))"
            default: return nil
            }
        }
        func taskView(_ task: ClaimPage.Task) -> TaskView {
            TaskView(id: task.id, title: task.title, kind: request.t("claim_task_kind_\(task.kind)"),
                     state: request.t("claim_task_state_\(task.state)"), when: when(task.startsAt, task.endsAt),
                     supplier: task.supplierName, supplierPhone: settings.showSupplierPhones ? task.supplierPhone : nil,
                     responsible: task.responsibleName, responsiblePhone: settings.showSupplierPhones ? task.responsiblePhone : nil,
                     description: task.description, hasMedia: !task.isInspection && task.mediaCount > 0)
        }
        if !page.unavailable {
            switch tab {
            case .overview:
                page.facts = try await facts(request, info: info, settings: settings)
                if situation.progress.hasReached(settings.newsFeed) {
                    page.showFeed = true
                    let pageNumber = max(1, min(request.query[Int.self, at: "page"] ?? 1, 1000))
                    let feed = try await query.feed(caseId: viewer.caseId, filter: settings.feedFilter,
                                                    offset: (pageNumber - 1) * feedPageSize, limit: feedPageSize)
                    let company = info.customerName ?? request.caseport.config.delivery.companyName
                    page.feed = feed.items.compactMap { item in
                        guard let line = ClaimFeedLine.line(for: item.event.event, company: company) else { return nil }
                        return FeedLine(at: language.formatDateTime(item.event.at),
                                        text: line.render(request.t(line.key)) { language.formatDateTime($0) })
                    }
                    if feed.hasMore { page.feedOlder = href(.overview, query: [("page", String(pageNumber + 1))]) + "#news" }
                    if pageNumber > 1 {
                        page.feedNewer = href(.overview, query: pageNumber > 2 ? [("page", String(pageNumber - 1))] : []) + "#news"
                    }
                    page.feedPaging = page.feedNewer != nil || page.feedOlder != nil
                }
                if settings.showPlan {
                    page.showPlan = true
                    page.plan = try await query.tasks(caseId: viewer.caseId, upcomingFrom: request.operations.now, limit: 5).map(taskView)
                }
            case .plan:
                page.tasks = try await query.tasks(caseId: viewer.caseId).map(taskView)
            case .messages:
                let direction = settings.messageDirection
                let author = WriteClaimMessage.Visitor(caseId: viewer.caseId, name: viewer.name, email: viewer.email,
                                                       isPreview: preview != nil).authorLabel
                let messages = try await query.messages(caseId: viewer.caseId, onlyAuthor: direction == .fromCustomer ? author : nil)
                let files = try await query.messageFiles(caseId: viewer.caseId, messageIds: messages.map(\.id))
                page.messages = messages.map { message in
                    MessageView(author: message.authorName, fromCompany: message.authorKind != .customer,
                                at: language.formatDateTime(message.createdAt), body: message.text { request.t($0) },
                                files: files.filter { $0.messageId == message.id }.map { FileLink(name: $0.originalName, href: fileHref($0.id, preview)) })
                }
                page.canWrite = direction != .toCustomer
                page.writeDisabled = preview != nil
                page.directionNote = request.t("claim_direction_\(direction.rawValue)")
                page.formAction = ClaimPageRoute.messagesSubmit.path()
            case .documents:
                page.documents = try await query.documents(caseId: viewer.caseId).map { document in
                    DocumentView(type: request.t("claim_doc_category_\(document.category ?? CaseDocumentCategory.other.rawValue)"),
                                 title: document.displayTitle, href: fileHref(document.id, preview), madeBy: document.uploaderName,
                                 createdAt: language.formatDateTime(document.createdAt))
                }
            case .budget:
                // The staff side's own reading of the lines (C5: the same lines and total staff see).
                let lines = try await BudgetLines(database: request.database).lines(caseId: viewer.caseId)
                page.budget = lines.map {
                    BudgetLineView(description: $0.description, quantity: Quantity(milli: $0.quantityMilli).formatted(language),
                                   unitPrice: Money(minor: $0.unitPriceMinor).formatted(language),
                                   amount: Money(minor: $0.amountMinor).formatted(language))
                }
                page.budgetTotal = Money(minor: lines.reduce(0) { $0 + $1.amountMinor }).formatted(language)
            }
        }
        let response = try await request.view.render("claim/page", page).encodeResponse(for: request).get()
        response.status = status
        // The page is personal: never kept by a shared cache, and no referrer carries where it was.
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }

    /// Downloads: the visitor's own route; a preview links the staff download of the same file.
    static func fileHref(_ id: Int, _ preview: Preview?) -> String {
        preview == nil ? ClaimPageRoute.document.path(id) : StaffRoute.file.path(id)
    }

    /// C1/C6: number, damage type, address, handler (and mobile, by setting), contact person and
    /// e-mail, incident date.
    static func facts(_ request: Request, info: ClaimPage.Info, settings: ClaimPageSettings) async throws -> [Fact] {
        let language = request.language
        var facts = [Fact(label: request.t("claim_fact_number"), value: String(info.number))]
        if let damage = info.damageType, !damage.isEmpty { facts.append(Fact(label: request.t("claim_fact_damage"), value: damage)) }
        if let address = info.workSiteAddress.flatMap({ $0.isEmpty ? nil : $0 }) ?? info.objectAddress {
            facts.append(Fact(label: request.t("claim_fact_address"), value: address))
        }
        if settings.showHandlerName, let handler = info.handlerName {
            var value = handler
            if settings.showHandlerMobile, let mobile = info.handlerMobile, !mobile.isEmpty { value += " (\(mobile))" }
            facts.append(Fact(label: request.t("claim_fact_handler"), value: value))
        }
        if let contact = try await ClaimPage(database: request.database).contacts(caseId: info.caseId).first {
            facts.append(Fact(label: request.t("claim_fact_contact"), value: contact.phone.map { "\(contact.name) (\($0))" } ?? contact.name))
            if let email = contact.email, !email.isEmpty {
                facts.append(Fact(label: request.t("claim_fact_contact_email"), value: email, href: "mailto:" + email))
            }
        }
        if let incident = info.incidentAt { facts.append(Fact(label: request.t("claim_fact_incident"), value: language.formatDateTime(incident))) }
        return facts
    }
}
