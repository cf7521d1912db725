import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import LeafKit
import Vapor

/// Case handling in the back office (D3, D4): the case list with filters, and the case page where
/// staff edit every field, move the case through the workflow, write to the customer or add internal
/// notes, and see the timeline. Edits carry the version they were made on; a stale edit is refused
/// with the typed values kept.
struct StaffCasesController: RouteCollection {
    static let pageSize = 50
    /// Beyond this the list says "more than 10 000" and pages stop; filters narrow it down.
    static let countCap = 10_000
    /// The "cases with new activity" badge counts up to here (it is on every staff list and home page).
    static let unreadCap = 1_000

    /// The badge's number, or "more than 1 000".
    static func unreadLabel(_ unread: Int, request: Request) -> String {
        unread > unreadCap ? request.t("staff_more_than").replacingOccurrences(of: "{n}", with: String(unreadCap)) : String(unread)
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.cases, use: list)
        routes.on(StaffRoute.casesMarkAllRead, use: markAllRead)
        routes.on(StaffRoute.`case`, use: show)
        routes.on(StaffRoute.caseEdit, use: edit)
        routes.on(StaffRoute.caseStatus, use: changeStatus)
        // A reply may carry files (issue 12): multipart, streamed like every upload.
        routes.on(StaffRoute.caseMessage, body: .stream, use: addMessage).acceptsMultipart()
        routes.on(StaffRoute.caseNote, use: addNote)
        routes.on(StaffRoute.caseRead, use: markRead)
    }

    typealias Option = SelectOption

    /// One row of the list, written to HTML by `rowsHTML` (the template only sees `rowCount`).
    struct Row: Encodable {
        var number: Int
        var subject: String
        var status: String
        var closed: Bool
        /// The status badge's colour class (`StatusTone`).
        var tone: String
        var createdAt: String
        /// "Last updated": the last public message or status change.
        var updatedAt: String
        var customer: String
        var object: String
        var handler: String
        var priority: String
        var unread: Bool
    }

    struct ListPage: Encodable {
        var layout: Layout
        /// How many rows this page has (the rows themselves are in `rowsHTML`).
        var rowCount: Int
        /// The table's rows, written by `rowsHTML` (every value escaped there).
        var rowsHTML: String
        var total: String
        /// How many cases have unread activity, "more than 1 000" above `unreadCap`.
        var unreadTotal: String
        var hasUnread: Bool
        var paging: Paging
        /// The sortable column headers and the current sort (kept by the search form).
        var sort: SortHeaders
        var q: String
        var statuses: [Option]
        var handlers: [Option]
        var categories: [Option]
        var types: [Option]
        var priorities: [Option]
        var customers: [Option]
        var unreadOnly: Bool
        var filtered: Bool
        /// A filter inside the folding panel is set, so the panel shows open.
        var panelOpen: Bool
        var notice: String?
    }

    struct ListQuery: Decodable {
        var q: String?
        var status: String?
        var handler: String?
        var category: String?
        var type: String?
        var priority: String?
        var customer: String?
        var unread: String?
        var page: String?
        /// The order (`CaseSort`): validated, anything unknown is the default (last activity).
        var sort: String?
        var dir: String?

        /// The list's URL with this search in `sort`'s order (the validated sort, never the raw values).
        func link(sort: CaseSort, page: Int?) -> String {
            let search: [(String, String?)] = [("q", q), ("status", status), ("handler", handler),
                                               ("category", category), ("type", type), ("priority", priority),
                                               ("customer", customer), ("unread", unread)]
            let pageItem: [(String, String?)] = [("page", page.map { String($0) })]
            return StaffRoute.cases.path([], query: search + sort.queryItems + pageItem)
        }
    }

    /// How many cases the filter matches, up to `countCap` + 1; a filter whose count passed the cap in the last
    /// minute is not counted again (`SaturatedCounts`).
    static func cappedCount(_ filter: StaffCaseFilter, cases: StaffCases, request: Request) async throws -> Int {
        let key = ShortLivedCounts.key(filter.base) + "|\(filter.handlerId ?? -1)|\(filter.unassigned)|\(filter.priorityId ?? -1)|\(filter.unreadOnly)"
        let saturated = request.caseport.saturatedStaffCounts
        if saturated.hasPassed(key) { return countCap + 1 }
        let counted = try await cases.count(filter, cap: countCap)
        saturated.note(key, passed: counted > countCap)
        return counted
    }

    /// The list page, written in Swift from frame to rows (`StaffCaseListHTML.swift`, `PageHTML.swift`: no Leaf render).
    func list(request: Request) async throws -> Response {
        _ = try request.requireStaff()
        let query = (try? request.query.decode(ListQuery.self)) ?? ListQuery()
        var filter = StaffCaseFilter()
        filter.base.text = String((query.q ?? "").prefix(200))
        if query.status == "active" { filter.base.statusGroup = .active } else { filter.base.status = query.status.flatMap(CaseStatus.init(rawValue:)) }
        if query.handler == "none" { filter.unassigned = true } else { filter.handlerId = query.handler.flatMap(Int.init) }
        filter.base.categoryId = query.category.flatMap(Int.init)
        filter.base.caseTypeId = query.type.flatMap(Int.init)
        filter.priorityId = query.priority.flatMap(Int.init)
        filter.base.customerId = query.customer.flatMap(Int.init)
        filter.unreadOnly = query.unread == "1"
        filter.base.sort = CaseSort(key: query.sort, direction: query.dir)

        let cases = StaffCases(database: request.database)
        let counted = try await Self.cappedCount(filter, cases: cases, request: request)
        // Pages stop at the cap; the list's query is kept in every page link.
        let paging = Paging(requested: Int(query.page ?? ""), total: min(counted, Self.countCap), pageSize: Self.pageSize) { page in
            query.link(sort: filter.base.sort, page: page)
        }
        let (rows, unread) = try await cases.pageAndUnread(filter, offset: paging.offset, limit: Self.pageSize,
                                                           unreadCap: Self.unreadCap)
        var panelFilters = filter
        panelFilters.base.text = ""
        let panelOpen = !panelFilters.isEmpty
        let catalogue = try await Self.listChoices(request)
        let staffMembers = try await Self.activeStaff(request)
        let language = request.language
        var statuses = [Option(value: "active", name: request.t("filter_state_active"), selected: query.status == "active")]
        statuses += CaseStatus.allCases.map { Option(value: $0.rawValue, name: request.staffStatus($0), selected: query.status == $0.rawValue) }
        var handlers = [Option(value: "none", name: request.t("staff_unassigned"), selected: filter.unassigned)]
        handlers += staffMembers.map { Option(value: String($0.id), name: $0.name, selected: filter.handlerId == $0.id) }
        let layout = Layout(request, title: request.t("staff_cases_title"), area: "staff", wide: true)
        let context = ListPage(
            layout: layout,
            rowCount: rows.count,
            rowsHTML: Self.rowsHTML(rows.map {
                Row(number: $0.number, subject: $0.subject, status: request.staffStatus($0.status), closed: $0.status.isClosed, tone: $0.status.tone.rawValue,
                    createdAt: language.formatDateTime($0.createdAt), updatedAt: language.formatDateTime($0.lastActivityAt), customer: $0.customerName ?? "–", object: $0.objectName ?? "–",
                    handler: $0.handlerName ?? "–", priority: $0.priorityName ?? "–", unread: $0.hasUnreadActivity)
            }, strings: layout.t.table),
            total: counted > Self.countCap ? request.t("staff_more_than").replacingOccurrences(of: "{n}", with: String(Self.countCap)) : String(counted),
            unreadTotal: Self.unreadLabel(unread, request: request), hasUnread: unread > 0, paging: paging,
            sort: SortHeaders(current: filter.base.sort) { query.link(sort: $0, page: nil) },
            q: filter.base.text, statuses: statuses, handlers: handlers,
            categories: catalogue.categories.map { Option(value: String($0.id), name: $0.name, selected: filter.base.categoryId == $0.id) },
            types: catalogue.types.map { Option(value: String($0.id), name: $0.name, selected: filter.base.caseTypeId == $0.id) },
            priorities: catalogue.priorities.map { Option(value: String($0.id), name: $0.name, selected: filter.priorityId == $0.id) },
            customers: catalogue.customers.map { Option(value: String($0.id), name: $0.name, selected: filter.base.customerId == $0.id) },
            unreadOnly: filter.unreadOnly, filtered: !filter.isEmpty, panelOpen: panelOpen,
            notice: request.notice([.read: "staff_notice_read_all"]))
        return request.htmlPage(layout.pageHTML(body: context.bodyHTML()))
    }

    /// The table's rows as HTML, exactly as the template's `#for(r in rows)` loop wrote them (issue 17:
    /// that loop was a third of the staff list's CPU in perf, Leaf resolving each of a row's values
    /// through the context). Every value is escaped as `#(…)` escapes it (`escapedHTML`, Leaf's own
    /// escaping); `StaffCaseRowsHTMLTests` renders the old loop with Leaf and compares.
    static func rowsHTML(_ rows: [Row], strings: [String: String]) -> String {
        func t(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        let (numberLabel, marker, subjectLabel, customerLabel) = (t("case_number"), t("staff_unread_marker"), t("case_subject"), t("case_customer"))
        let (objectLabel, handlerLabel, priorityLabel) = (t("case_object"), t("staff_field_handler"), t("case_priority"))
        let (createdLabel, updatedLabel, statusLabel) = (t("case_created"), t("list_last_updated"), t("case_status"))
        var html = ""
        html.reserveCapacity(rows.count * 1_400)
        for row in rows {
            let number = String(row.number)
            let link = (AppRoutes.path(named: "staff.case", [number]) ?? "").escapedHTML
            html += "<tr data-case-number=\"\(number)\"\(row.unread ? " class=\"has-news\"" : "")>\n"
            html += "    <td data-label=\"\(numberLabel)\" class=\"nowrap\"><a href=\"\(link)\">\(number)</a>"
            if row.unread {
                html += " <span class=\"marker marker-news\" title=\"\(marker)\"><span aria-hidden=\"true\">●</span><span class=\"visually-hidden\">\(marker)</span></span>"
            }
            html += "</td>\n    <td data-label=\"\(subjectLabel)\" class=\"subject\"><a href=\"\(link)\">\(row.subject.escapedHTML)</a></td>\n"
            html += "    <td data-label=\"\(customerLabel)\">\(row.customer.escapedHTML)</td>\n"
            html += "    <td data-label=\"\(objectLabel)\">\(row.object.escapedHTML)</td>\n"
            html += "    <td data-label=\"\(handlerLabel)\">\(row.handler.escapedHTML)</td>\n"
            html += "    <td data-label=\"\(priorityLabel)\">\(row.priority.escapedHTML)</td>\n"
            html += "    <td data-label=\"\(createdLabel)\" class=\"nowrap\">\(row.createdAt.escapedHTML)</td>\n"
            html += "    <td data-label=\"\(updatedLabel)\" class=\"nowrap\">\(row.updatedAt.escapedHTML)</td>\n"
            html += "    <td data-label=\"\(statusLabel)\">" + SharedPartialsHTML.statusBadge(tone: row.tone, status: row.status) + "</td>\n"
            html += "  </tr>"
        }
        return html
    }

    /// The active handlers, by name (the list's handler filter, the case form's handler), kept at the change
    /// stamp: it moves when an account is added or removed or its name or activity changes (M053), so every
    /// server offers a new handler on its next page view. Read on every staff page view until session 28: a
    /// quarter of a staff page's statements. Without a stamp (a write) read afresh.
    static func activeStaff(_ request: Request) async throws -> [StaffCatalogue.Choice] {
        guard let stamp = request.changeStamp else { return try await StaffCatalogue.activeStaff(on: request.database) }
        if let kept = request.caseport.activeStaff.value(for: "", at: stamp) { return kept }
        let staff = try await StaffCatalogue.activeStaff(on: request.database)
        request.caseport.activeStaff.store(staff, for: "", at: stamp)
        return staff
    }

    /// The list's filter choices read from master data: categories, case types, priorities and
    /// customers (up to 1 000, as `StaffCatalogue`). Kept at the change stamp, which watches all four
    /// tables (M014), so every server sees a change on its next page view; without a stamp (a write)
    /// they are read afresh. The handlers are kept apart (`activeStaff`).
    static func listChoices(_ request: Request) async throws -> StaffListChoices {
        if let stamp = request.changeStamp, let kept = request.caseport.staffListChoices.value(for: "", at: stamp) { return kept }
        let catalogue = try await StaffCatalogue.load(on: request.database)
        func items(_ choices: [StaffCatalogue.Choice]) -> [StaffListChoices.Item] { choices.map { .init(id: $0.id, name: $0.name) } }
        let choices = StaffListChoices(categories: items(catalogue.categories), types: items(catalogue.types),
                                       priorities: items(catalogue.priorities), customers: items(catalogue.customers))
        if let stamp = request.changeStamp { request.caseport.staffListChoices.store(choices, for: "", at: stamp) }
        return choices
    }

    func markAllRead(request: Request) async throws -> Response {
        let marked = try await MarkAllCasesRead.run(by: try request.staffMember(), in: request.operations)
        return request.redirect(to: StaffRoute.cases, notice: Notice(.read, count: marked))
    }

    // MARK: The case page

    struct MessageView: Encodable {
        var id: Int
        var author: String
        var body: String
        var isInternal: Bool
        var fromCustomer: Bool
        var createdAt: String
        /// The files that came with the message (issue 12).
        var files: [PortalCaseController.FileChip]
    }

    /// The conversation, notes included, written here instead of by the template's loop (issue 17, as the
    /// portal's `PortalCaseController.messagesHTML`); the loop's bytes, checked by `CaseMessagesHTMLTests`.
    static func messagesHTML(_ messages: [MessageView], strings: [String: String]) -> String {
        func t(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        let (internalTag, fromCustomer, attachments) = (t("staff_internal_tag"), t("staff_from_customer"), t("casepage_attachments"))
        var html = ""
        html.reserveCapacity(messages.count * 600)
        for message in messages {
            let kind = message.isInternal ? " message-internal" : message.fromCustomer ? "" : " message-company"
            html += "\n    <li class=\"message\(kind)\" id=\"message-\(message.id)\">\n      <div class=\"message-meta\">"
            html += "<strong>\(message.author.escapedHTML)</strong>"
            if message.isInternal { html += " <span class=\"tag tag-internal\">\(internalTag)</span>" }
            if message.fromCustomer { html += " <span class=\"tag tag-portal\">\(fromCustomer)</span>" }
            html += " <span class=\"muted\">\(message.createdAt.escapedHTML)</span></div>\n"
            html += "      <div class=\"prose\">\(message.body.escapedHTML)</div>\n      "
            PortalCaseController.fileChipsHTML(message.files, label: attachments, into: &html) {
                AppRoutes.path(named: "staff.file", [String($0)])
            }
            html += "\n    </li>\n  "
        }
        return html
    }

    struct EventView: Encodable {
        var at: String
        var actor: String
        var text: String
    }

    /// The case's history (D8), written here instead of by the template's loop (issue 17, session 18: a
    /// long-lived case shows up to 200 events, and rendering them was most of the page's Leaf time in
    /// perf); the loop's bytes, checked by `CaseEventsHTMLTests`.
    static func eventsHTML(_ events: [EventView]) -> String {
        var html = ""
        html.reserveCapacity(events.count * 160)
        for event in events {
            html += "<li><span class=\"muted\">\(event.at.escapedHTML) · \(event.actor.escapedHTML)</span><br>\(event.text.escapedHTML)</li>"
        }
        return html
    }

    struct CasePage: Encodable {
        var layout: Layout
        var number: Int
        var version: Int
        var status: String
        var closed: Bool
        /// The status badge's colour class (`StatusTone`).
        var tone: String
        var transitions: [Option]
        /// The details form as typed (or as stored, before an edit).
        var values: CaseEditForm
        var errors: [String: String]
        var notice: String?
        var selects: CaseSelects
        /// The conversation, written by `messagesHTML` (every value escaped there).
        var messagesHTML: String
        /// The conversation's pages, and whether this is the last (oldest), which ends with the description.
        var paging: Paging
        var showDescription: Bool
        /// The history, written by `eventsHTML` (every value escaped there); `hasEvents` says whether it has any.
        var eventsHTML: String
        var hasEvents: Bool
        var messageBody: String
        var internalNote: Bool
        var createdAt: String
        var createdBy: String
        /// Customer activity nobody in the back office has marked as read yet (D4), named in the box.
        var unread: Bool
        var unreadMessages: [UnreadMessageView]
        var unreadFiles: [UnreadFileView]
        /// What the customer sent with the case (issue 11 point 1).
        var sent: SentDetails
        var files: [StaffFileView]
        var contacts: [LinkedContactView]
        var contactOptions: [Option]
        var maxUploadMegabytes: Int
        /// E3: the reason of the case's legal hold, when it is on one.
        var legalHold: String? = nil
        /// Issue 12: the error summary; the internal note's text (its own form); the "Change" box open after an error.
        var errorSummary: [ErrorLink]? = nil
        var noteBody: String = ""
        var noteOpen: Bool = false
        var changeOpen: Bool = false
        /// Issue 15: chats attached to the case, every line (staff notes marked).
        var chats: [CaseChatView] = []
        /// Issue 13: the document library and the budget (`CaseDocumentsHTML.swift`).
        var library: CaseLibraryView? = nil
        var budget: CaseBudgetView? = nil
        /// Issue 13: the "Claim" part (`ClaimPanelHTML.swift`); the page always has one.
        var claim: ClaimPanel? = nil
        /// Issue 13: the claim's "Customer access" part (`ClaimAccessPartHTML.swift`); nil when the case is no claim.
        var claimAccess: ClaimAccessPart? = nil
    }

    /// What a failed form keeps.
    struct PageState {
        var form: CaseEditForm? = nil
        var errors: [String: String] = [:]
        var notice: String?
        var message = StaffMessageForm()
        var noteBody = ""
        /// The contact chosen in the link form, kept when linking failed.
        var contactChoice = ""
        /// Issue 13: a claim form's typed values and problems.
        var claim: ClaimPanelState? = nil
    }

    /// The case the page shows, by plain SQL (`StaffCaseFacts`: the page and its forms only read it).
    func findCase(_ request: Request) async throws -> StaffCaseFacts {
        guard let number = request.parameters.get("number").flatMap(Int.init),
              let record = try await StaffCases(database: request.database).facts(number: number) else { throw Abort(.notFound) }
        return record
    }

    func show(request: Request) async throws -> Response {
        _ = try request.requireStaff()
        let record = try await findCase(request)
        var state = PageState()
        state.notice = request.notice([.saved, .status, .message, .read, .uploaded, .removed, .added, .deleted, .created],
                                      prefix: "staff_notice_")
        // A GET changes nothing: the customer's activity (D4) stays unread until "Mark as read" is posted.
        return try await render(request, record: record, state: state, status: .ok)
    }

    /// "Mark as read" on the case page (D4): an explicit, CSRF-protected POST.
    func markRead(request: Request) async throws -> Response {
        let number = try await MarkCaseRead.run(caseNumber: try Self.caseNumber(request), by: try request.staffMember(),
                                                in: request.operations)
        return request.redirect(to: StaffRoute.`case`, number, notice: .read)
    }

    static func caseNumber(_ request: Request) throws -> Int {
        guard let number = request.parameters.get("number").flatMap(Int.init) else { throw Abort(.notFound) }
        return number
    }

    func render(_ request: Request, record: StaffCaseFacts, state: PageState, status: HTTPResponseStatus) async throws -> Response {
        let cases = StaffCases(database: request.database)
        let form = state.form ?? CaseEditForm(record)
        let language = request.language
        let caseId = record.id
        // Read once for the case form's selects and the document form's suppliers.
        let catalogue = try await Self.caseCatalogue(request)
        let selects = try await CaseSelects.load(request, layout: CaseSelects.caseLayout, chosen: form.selection,
                                                 currentObjectId: record.objectId, errors: state.errors, catalogue: catalogue)
        let unread = try await CaseUnreadActivity.load(for: record, on: request.database)
        // Which of the chats, budget, claim and type fields the case has (read with its facts): their reads
        // are skipped when not.
        let parts = record.parts
        let contacts = try await CaseContacts(database: request.database).linked(caseId: caseId)
        // The document library's rows (every file of the case but task media, newest first) hold the files the
        // conversation and the files part list: the shared ones (`VisibleFiles.caseFiles`' rows, read once).
        let documents = try await CaseDocuments(database: request.database).library(caseId: caseId)
        let caseFiles = documents.filter(\.isShared)
        var chips: [Int: [PortalCaseController.FileChip]] = [:]
        for file in caseFiles.reversed() {
            guard let messageId = file.messageId else { continue }
            chips[messageId, default: []].append(.init(id: file.id, name: file.originalName,
                                                       size: PortalCaseController.formatSize(file.byteSize, language: language),
                                                       isImage: ContentSniffing.isImage(file.contentType)))
        }
        // Every message, internal notes included, newest first, a page at a time as on the portal's case page.
        let pageSize = PortalCaseController.messagesPerPage
        let (messages, messagePaging) = try await Paging.messages(
            requested: (try? request.query.get(String.self, at: "page")).flatMap { Int($0) },
            pageSize: pageSize,
            link: { StaffRoute.`case`.path([String(record.number)], query: [("page", String($0))], fragment: "messages") },
            pageWithTotal: { try await cases.messagesPage(caseId: caseId, limit: pageSize, offset: $0) },
            count: { try await cases.messageCount(caseId: caseId) })
        let events = try await Self.describeAll(try await cases.events(caseId: caseId), request: request, language: language)
        let layout = Layout(request, title: "\(request.t("case_number_short")) \(record.number) – \(record.subject)", area: "staff")
        var page = CasePage(
            layout: layout,
            number: record.number, version: record.version, status: request.staffStatus(record.status), closed: record.status.isClosed, tone: record.status.tone.rawValue,
            transitions: record.status.allowedNext.map { Option(value: $0.rawValue, name: request.staffStatus($0), selected: false) },
            values: form, errors: state.errors, notice: state.notice,
            selects: selects,
            messagesHTML: Self.messagesHTML(messages.map { staffMessage in
                let message = staffMessage.message
                return MessageView(id: message.id, author: message.authorKind == .system ? request.t("message_system_author") : message.authorName,
                                   body: message.text(request.t),  // issue 12: a system message in the reader's language
                                   isInternal: staffMessage.isInternal, fromCustomer: message.authorKind == .customer,
                                   createdAt: language.formatDateTime(message.createdAt), files: chips[message.id] ?? [])
            }, strings: layout.t.table),
            paging: messagePaging, showDescription: messagePaging.page >= messagePaging.pageCount,
            eventsHTML: Self.eventsHTML(events), hasEvents: !events.isEmpty,
            messageBody: state.message.body, internalNote: state.message.isInternal,
            createdAt: language.formatDateTime(record.createdAt), createdBy: record.createdByName,
            unread: record.hasUnreadActivity,
            unreadMessages: unread.messages.map {
                UnreadMessageView(author: $0.authorName, at: language.formatDateTime($0.createdAt),
                                  preview: PortalCaseListController.shorten($0.body, to: 120))
            },
            unreadFiles: unread.files.map { UnreadFileView(id: $0.id, name: $0.originalName, at: language.formatDateTime($0.createdAt)) },
            sent: try await SentDetails.load(request, record: record, hasFieldValues: parts.hasFieldValues),
            files: caseFiles.map {
                StaffFileView(id: $0.id, name: $0.originalName, size: PortalCaseController.formatSize($0.byteSize, language: language),
                              uploader: $0.uploaderName, createdAt: language.formatDateTime($0.createdAt),
                              isImage: ContentSniffing.isImage($0.contentType), fromCustomer: $0.uploadedByUserId != nil)
            },
            contacts: contacts.map {
                LinkedContactView(id: $0.contactId, name: $0.name, email: $0.email, phone: $0.phone, isPrimary: $0.isPrimary)
            },
            contactOptions: try await CaseContacts(database: request.database)
                .candidates(customerId: record.customerId, objectId: record.objectId)
                .filter { candidate in !contacts.contains { $0.contactId == candidate.id } }
                .map { Option(value: String($0.id!), name: $0.displayName + ($0.email.map { " (\($0))" } ?? ""),
                              selected: state.contactChoice == String($0.id!)) },
            maxUploadMegabytes: UploadReceiver.maximumFileBytes / 1_048_576, legalHold: record.legalHoldReason,
            errorSummary: ErrorSummary.links(state.errors, anchors: Self.errorAnchors(selects), request: request),
            noteBody: state.noteBody, noteOpen: !state.noteBody.isEmpty || state.errors["note"] != nil,
            changeOpen: state.form != nil && !state.errors.isEmpty)
        page.chats = parts.hasChats ? try await CaseChatView.load(request, caseId: caseId, forStaff: true) : []
        page.library = try await CaseLibraryView.load(request, caseId: caseId, suppliers: catalogue.suppliers, rows: documents)
        page.budget = try await CaseBudgetView.load(request, caseId: caseId, hasLines: parts.hasBudget)
        page.claim = try await ClaimPanel.load(request, record: record, state: state.claim, unreadMessages: unread.messages.count,
                                               unreadFiles: unread.files.count, mayBeClaim: parts.isClaim)
        page.claimAccess = try await ClaimAccessPart.load(request, caseId: caseId, number: record.number, mayBeClaim: page.claim?.isClaim ?? true)
        // Written in Swift from frame to timeline (`StaffCasePageHTML.swift`, `PageHTML.swift`: no Leaf render).
        return request.htmlPage(layout.pageHTML(body: page.bodyHTML()), status: status)
    }

    /// The case form's lists. Categories, case types, priorities, suppliers and customers are kept at the
    /// change stamp, which watches all five tables (M014), so every server sees a change on its next page view;
    /// without a stamp (a page shown again after a write) everything is read afresh. The handlers are kept
    /// apart (`activeStaff`).
    static func caseCatalogue(_ request: Request) async throws -> StaffCatalogue {
        guard let stamp = request.changeStamp else { return try await StaffCatalogue.load(on: request.database) }
        let kept = request.caseport.staffCaseCatalogue
        if var catalogue = kept.value(for: "", at: stamp) {
            catalogue.staff = try await Self.activeStaff(request)
            return catalogue
        }
        let catalogue = try await StaffCatalogue.load(on: request.database)
        var withoutStaff = catalogue
        withoutStaff.staff = []
        kept.store(withoutStaff, for: "", at: stamp)
        return catalogue
    }

    /// The page's fields in page order, for the error summary's links.
    static func errorAnchors(_ selects: CaseSelects) -> [ErrorSummary.Anchor] {
        var anchors: [ErrorSummary.Anchor] = [
            .init("form", "main"),
            .init("body", "body", label: "message_new"),
            .init("message_files", "message-files", label: "casepage_message_files"),
            .init("note", "note-body", label: "casepage_note_label"),
            .init("subject", "subject", label: "case_subject"),
        ]
        anchors += selects.anchors
        anchors += [.init("contact", "contact", label: "staff_contact_choose"), .init("files", "upload", label: "upload_label")]
        return anchors
    }

    /// The timeline. Issue 12: object changes recorded by earlier versions stored the object's id
    /// ("12 → 15"); those are shown by the object's name (its id only when the object is gone).
    static func describeAll(_ events: [StoredCaseEvent], request: Request, language: Language) async throws -> [EventView] {
        var ids: Set<Int> = []
        for stored in events {
            if case .fieldChanged(.object, let before, let after) = stored.event {
                ids.formUnion([before, after].compactMap { $0.flatMap(Int.init) })
            }
        }
        let objectNames = ids.isEmpty ? [:] : Dictionary(
            try await ObjectRecord.query(on: request.database).filter(\.$id ~~ Array(ids)).all().map { ($0.id!, $0.name) },
            uniquingKeysWith: { first, _ in first })
        return events.map { stored in
            guard case .fieldChanged(.object, let before, let after) = stored.event else {
                return describe(stored, request: request, language: language)
            }
            func named(_ raw: String?) -> String? { raw.flatMap(Int.init).flatMap { objectNames[$0] } ?? raw }
            var renamed = stored
            renamed.event = .fieldChanged(.object, before: named(before), after: named(after))
            return describe(renamed, request: request, language: language)
        }
    }

    static func describe(_ stored: StoredCaseEvent, request: Request, language: Language) -> EventView {
        func shown(_ raw: String?) -> String {
            guard let raw, !raw.isEmpty else { return "–" }
            return raw
        }
        func change(_ fieldKey: String, _ before: String?, _ after: String?) -> String {
            "\(request.t("staff_field_\(fieldKey)")): \(shown(before)) → \(shown(after))"
        }
        let text: String
        switch stored.event {
        case .created(let channel):
            switch channel {
            case .portal: text = request.t("staff_event_created_portal")
            case .backOffice: text = request.t("staff_event_created_back_office")
            }
        case .statusChanged(let from, let to):
            text = change("status", request.staffStatus(from), request.staffStatus(to))
        case .fieldChanged(let field, let before, let after):
            text = change(field.rawValue, before, after)
        case .handlerChanged(let before, let after):
            text = change("handler", before, after)
        case .supplierChanged(let before, let after):
            text = change("supplier", before, after)
        case .filesUploaded(let names):
            // Staff upload too (issue 11): the line says who, not always "the customer".
            text = request.t(stored.actor.staffId == nil ? "staff_event_files_uploaded" : "staff_event_files_uploaded_staff").replacingOccurrences(of: "{names}", with: names.joined(separator: ", "))
        case .fileRemoved(let name):
            text = request.t(stored.actor.staffId == nil ? "staff_event_file_removed" : "staff_event_file_removed_staff").replacingOccurrences(of: "{name}", with: name)
        case .contactLinked(let name), .contactUnlinked(let name), .documentShared(let name), .documentUnshared(let name):
            text = request.t("staff_event_\(stored.event.kind.rawValue)").replacingOccurrences(of: "{name}", with: name)
        case .articleRowBooked, .articleRowRemoved, .workOrderCreated, .workOrderChanged, .workOrderStateChanged,
             .specificationCreated, .specificationApproved, .specificationRejected:
            text = MoneyEventText.describe(stored.event, request: request, language: language)
        case .callLogged, .expertAssigned, .taskAdded, .taskStarted, .taskFinished, .taskScheduleChanged, .taskOfficeChanged,
             .taskResponsibleChanged, .compensationDecided, .projectManagerChanged, .projectManagerOfficeChanged, .appointmentChanged,
             .budgetLineAdded, .budgetLineChanged, .budgetLineRemoved:
            text = ClaimEventText.describe(stored.event, request: request, language: language)
        default:
            text = request.t("staff_event_\(stored.event.kind.rawValue)")
        }
        return EventView(at: language.formatDateTime(stored.at), actor: stored.actor.name, text: text)
    }

    // MARK: Changes

    func edit(request: Request) async throws -> Response {
        let form = try request.form(CaseEditForm.self)
        guard let version = form.version else {
            let record = try await findCase(request)
            return try await render(request, record: record, state: PageState(form: form, errors: ["form": request.t("error_bad_request")]),
                                    status: .unprocessableEntity)
        }
        do {
            switch try await EditCase.run(form.input(caseNumber: try Self.caseNumber(request), version: version),
                                          by: try request.staffMember(), in: request.operations) {
            case .done(let number):
                return request.redirect(to: StaffRoute.`case`, number, notice: .saved)
            case .problems(let problems):
                let record = try await findCase(request)
                return try await render(request, record: record, state: PageState(form: form, errors: request.texts(problems)),
                                        status: .unprocessableEntity)
            }
        } catch OperationError.stale {
            let fresh = try await findCase(request)
            return try await render(request, record: fresh, state: PageState(form: form, errors: ["form": request.t("staff_error_stale")]),
                                    status: .conflict)
        }
    }

    func changeStatus(request: Request) async throws -> Response {
        let form = try request.form(CaseStatusForm.self)
        guard let next = form.status, let version = form.version else { throw Abort(.badRequest) }
        do {
            let number = try await ChangeCaseStatus.run(.init(caseNumber: try Self.caseNumber(request), expectedVersion: version, next: next),
                                                        by: try request.staffMember(), in: request.operations)
            return request.redirect(to: StaffRoute.`case`, number, notice: .status)
        } catch OperationError.stale {
            return try await render(request, record: try await findCase(request),
                                    state: PageState(errors: ["form": request.t("staff_error_stale")]), status: .conflict)
        } catch OperationError.notAllowedNow {
            return try await render(request, record: try await findCase(request),
                                    state: PageState(errors: ["form": request.t("staff_error_transition")]), status: .unprocessableEntity)
        }
    }

    /// "Reply to customer": url-encoded, or multipart when the reply carries files (issue 12). An
    /// older form's `internal=1` still writes a note, but a note never carries files.
    func addMessage(request: Request) async throws -> Response {
        guard CSRFMiddleware.isMultipart(request) else {
            return try await write(request, form: try request.form(StaffMessageForm.self), files: [])
        }
        let record = try await findCase(request)
        struct Refused: Error, @unchecked Sendable { let response: Response }
        var answer: Response?
        do {
            try await UploadIntake.store(request, filesRequired: false) { fields, stored in
                let form = try StaffMessageForm(from: FormValueDecoder(values: fields))
                let response: Response
                if form.isInternal && !stored.isEmpty {
                    response = try await render(request, record: record,
                                                state: PageState(errors: ["message_files": request.t("casepage_note_no_files")],
                                                                 message: form),
                                                status: .unprocessableEntity)
                } else {
                    response = try await write(request, form: form, files: stored)
                }
                // A refused reply keeps no files: throwing has them deleted from storage again.
                guard response.status == .seeOther else { throw Refused(response: response) }
                answer = response
            }
        } catch let refused as Refused {
            return refused.response
        } catch let refused as UploadIntake.Refused {
            let form = (try? StaffMessageForm(from: FormValueDecoder(values: refused.fields))) ?? StaffMessageForm()
            return try await render(request, record: record,
                                    state: PageState(errors: ["message_files": request.t(refused.key)], message: form),
                                    status: refused.status)
        }
        guard let answer else { throw Abort(.internalServerError) }
        return answer
    }

    func write(_ request: Request, form: StaffMessageForm, files: [AttachUploadedFiles.StoredUpload]) async throws -> Response {
        let input = WriteStaffMessage.Input(caseNumber: try Self.caseNumber(request), body: form.body, isInternal: form.isInternal,
                                            files: files)
        switch try await WriteStaffMessage.run(input, by: try request.staffMember(), in: request.operations) {
        case .done(let number):
            return request.redirect(to: StaffRoute.`case`, number, notice: form.isInternal ? Notice.saved : Notice.message,
                                    fragment: form.isInternal ? "note" : "messages")
        case .problems(let problems):
            var state = PageState(errors: request.texts(problems) { _ in form.isInternal ? "note" : "body" })
            if form.isInternal { state.noteBody = form.body } else { state.message = form }
            if !files.isEmpty { state.errors["message_files"] = request.t("casepage_files_again") }
            return try await render(request, record: try await findCase(request), state: state, status: .unprocessableEntity)
        }
    }

    /// "Save internal note" (issue 12): its own form and route, so a note is never a reply by a missed
    /// choice; whatever the form sends, this writes an internal note.
    func addNote(request: Request) async throws -> Response {
        var form = try request.form(StaffMessageForm.self)
        form.isInternal = true
        return try await write(request, form: form, files: [])
    }
}

extension Request {
    /// A status as staff read it: the portal's "Waiting for you" is "Waiting for the customer" here.
    func staffStatus(_ status: CaseStatus) -> String {
        status == .waitingForCustomer ? t("staff_status_waiting_for_customer") : t(status.labelKey)
    }
}

// MARK: Forms

/// The case page's details form (D3): subject, description and the seven selects, as posted and as
/// shown again; `version` is the one the page showed.
struct CaseEditForm: PostedForm, Encodable {
    var version: Int?
    var subject = "", description = ""
    var selection = CaseSelection()

    /// The posted names.
    enum Posted: String, CodingKey { case version, subject, description }
    /// What the page reads (`values.subject`).
    enum CodingKeys: CodingKey { case subject, description }

    init(_ record: StaffCaseFacts) {
        (subject, description) = (record.subject, record.description)
        selection = CaseSelection(category: record.categoryId, type: record.caseTypeId, priority: record.priorityId,
                                  handler: record.handlerId, supplier: record.supplierId, customer: record.customerId,
                                  object: record.objectId)
    }

    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: Posted.self)
        version = try posted.decodeIfPresent(Int.self, forKey: .version)
        subject = try posted.decode(String.self, forKey: .subject)
        description = try posted.decode(String.self, forKey: .description)
        selection = try CaseSelection(from: decoder)
    }

    func input(caseNumber: Int, version: Int) -> EditCase.Input {
        EditCase.Input(caseNumber: caseNumber, expectedVersion: version, subject: subject, description: description,
                       category: ChosenId(form: selection.category), type: ChosenId(form: selection.type),
                       priority: ChosenId(form: selection.priority), handler: ChosenId(form: selection.handler),
                       supplier: ChosenId(form: selection.supplier), customer: ChosenId(form: selection.customer),
                       object: ChosenId(form: selection.object))
    }
}

/// A status button: the next status and the version the page showed; either missing is a bad request.
struct CaseStatusForm: PostedForm {
    var status: CaseStatus?
    var version: Int?
}

/// A message to the customer, or an internal note.
struct StaffMessageForm: PostedForm {
    var body = ""
    var isInternal = false

    enum CodingKeys: String, CodingKey { case body, isInternal = "internal" }

    init() {}
}

/// What `StaffCasesController.listChoices` keeps: ids and names only, so nothing shared between
/// requests is a database record.
struct StaffListChoices: Sendable {
    struct Item: Sendable {
        let id: Int
        let name: String
    }
    var categories: [Item]
    var types: [Item]
    var priorities: [Item]
    var customers: [Item]
}
