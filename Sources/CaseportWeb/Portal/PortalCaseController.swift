import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// One case in the portal (B5): details, the type's fields, messages, files, and the customer's
/// edits. Every action first finds the case through `VisibleCases`, so a case outside the A7 rule
/// answers 404 to every route, exactly like a number that does not exist.
struct PortalCaseController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.`case`, use: show).confirmsPortalSession()
        // A message may carry files (issue 12): multipart, streamed like every upload.
        routes.on(PortalRoute.caseMessage, body: .stream, use: postMessage).acceptsMultipart()
        routes.on(PortalRoute.caseUpload, body: .stream, use: upload).acceptsMultipart()
        routes.on(PortalRoute.caseFile, use: download)
        routes.on(PortalRoute.caseFileRemove, use: removeFile)
        routes.on(PortalRoute.caseFileRemoveConfirm, use: confirmRemoveFile)
        routes.on(PortalRoute.caseClassify, use: classify)
    }

    // MARK: Page

    struct MessageView: Encodable {
        var id: Int
        var author: String
        var fromCompany: Bool
        var fromSystem: Bool
        var body: String
        var long: Bool
        var preview: String
        var createdAt: String
        /// The files that came with the message, shown as chips inside it (issue 12).
        var files: [FileChip]
    }

    /// A file inside the message it came with.
    struct FileChip: Encodable {
        var id: Int
        var name: String
        var size: String
        var isImage: Bool
    }

    /// Whom the customer deals with at the company (issue 12): the case's handler.
    struct ContactView: Encodable {
        var name: String
        var email: String?
        var phone: String?
    }

    struct FileView: Encodable {
        var id: Int
        var name: String
        var size: String
        var uploader: String
        var createdAt: String
        var isImage: Bool
        var removable: Bool
    }

    struct FieldView: Encodable {
        var label: String
        var value: String
    }

    typealias Option = SelectOption

    struct CasePage: Encodable {
        var layout: Layout
        var number: Int
        var subject: String
        var description: String
        var status: String
        var closed: Bool
        /// The status badge's colour class (`StatusTone`).
        var tone: String
        var categoryName: String?
        var caseTypeName: String?
        var billable: Bool
        var priorityName: String?
        var customerName: String?
        var objectName: String?
        var objectAddress: String?
        var workSiteAddress: String?
        var referenceName: String?
        var createdAt: String
        var updatedAt: String
        var createdBy: String
        var fromPortal: Bool
        var fields: [FieldView]
        /// How many messages this page shows (the messages themselves are in `messagesHTML`).
        var messageCount: Int
        /// The page's messages, written by `messagesHTML` (every value escaped there).
        var messagesHTML: String
        var files: [FileView]
        var messageBody: String
        var copyToMe: Bool
        var person: PersonPicker.Context
        var errors: [String: String]
        var notice: String?
        var canEditCategory: Bool
        var canEditPriority: Bool
        var categories: [Option]
        var priorities: [Option]
        var maxUploadMegabytes: Int
        /// B6: the case is resolved and waits for the customer's "Approved" or "Not OK".
        var awaitingApproval: Bool
        var approvalComment: String
        /// The version the page shows; the customer's edit applies only to it (issue 11 point 9).
        var version: Int
        /// "–" is offered only while the case has no value: a value cannot be blanked (point 9).
        var categoryBlankable: Bool
        var priorityBlankable: Bool
        /// Every message, paged (point 6); the "write a message" box open when it has text or errors.
        var paging: Paging
        var writeOpen: Bool
        var caseLink: String
        /// "Back" to the case list as the user left it (point 8).
        var backLink: String
        /// B6: "Approved" or "Tested OK", as the case type says.
        var approveLabel: String
        /// Issue 12: the case waits for the customer; the banner quotes the company's last message.
        var answerNeeded: Bool
        var answerQuote: AnswerQuote?
        var answerLink: String
        /// Issue 12: the company's contact for the case, the error summary, and the "Change" box open after an error.
        var contact: ContactView?
        var errorSummary: [ErrorLink]?
        var classifyOpen: Bool
        /// The case as the customer sent it, shown as the first entry of the conversation (on its last page).
        var showDescription: Bool
        /// Issue 15: chats attached to the case, as the customer saw them (never staff notes).
        var chats: [CaseChatView] = []
    }

    struct AnswerQuote: Encodable {
        var author: String
        var createdAt: String
        var preview: String
    }

    /// What a failed form keeps.
    struct PageState {
        var messageBody = ""
        var writeOpen = false
        var copyToMe = false
        var person: PersonPicker.Input?
        var errors: [String: String] = [:]
        var notice: String?
        var approvalComment = ""
    }

    func findCase(_ request: Request) async throws -> (PortalPrincipal, CaseDetail) {
        let principal = try request.requirePortal()
        guard let detail = try await VisibleCases(database: request.database).find(number: try Self.caseNumber(request),
                                                                             for: principal.visibility)
        else { throw Abort(.notFound) }
        return (principal, detail)
    }

    func show(request: Request) async throws -> Response {
        // The case with what else its page has to read (`CasePageContents`), under the access rule. The
        // writes' pages (`findCase`) need the case alone and read every part when they answer with an error.
        // A session taken on trust is confirmed in the same statement (`TrustedPortalSession`); a case not
        // found leaves it unconfirmed, and the middleware asks again the usual way before answering 404.
        let principal = try request.requirePortal()
        guard let found = try await VisibleCases(database: request.database)
                .findForPage(number: try Self.caseNumber(request), for: principal.visibility, userId: try principal.user.requireID(),
                             confirming: request.portalSessionToConfirm)
        else { throw Abort(.notFound) }
        try await request.acceptPortalSession(found.session)
        let (detail, contents) = (found.detail, found.contents)
        var state = PageState()
        state.notice = request.notice([.message, .uploaded, .removed, .saved, .created, .approved, .rejected], prefix: "notice_")
        // The banner's "Answer" link opens the write box (it works without JavaScript).
        state.writeOpen = (try? request.query.get(String.self, at: "write")) == "1"
        let response = try await render(request, principal: principal, detail: detail, contents: contents, state: state, status: .ok)
        // Opening the case clears its "new information" marker for this user (when there was news: most
        // views find none, and then write nothing).
        if contents.unseen {
            try await CaseConversation(database: request.database).recordVisit(caseId: detail.id, userId: try principal.user.requireID())
        }
        return response
    }

    /// `contents`: which parts the case has (a part it has none of is not read); `.unknown` reads them all.
    func render(_ request: Request, principal: PortalPrincipal, detail: CaseDetail, contents: CasePageContents = .unknown,
                state: PageState, status: HTTPResponseStatus) async throws -> Response {
        let conversation = CaseConversation(database: request.database)
        let language = request.language
        let settings = try await request.frameSettings()  // the frame's copy, kept at the change stamp
        // Every message is shown, newest first, `messagesPerPage` at a time (issue 11 point 6).
        let (messages, messagePaging) = try await Paging.messages(
            requested: (try? request.query.get(String.self, at: "page")).flatMap { Int($0) },
            pageSize: Self.messagesPerPage,
            link: { PortalRoute.`case`.path([String(detail.number)], query: [("page", String($0))], fragment: "messages") },
            pageWithTotal: { try await conversation.publicMessagesPage(caseId: detail.id, limit: Self.messagesPerPage, offset: $0) },
            count: { try await conversation.publicMessageCount(caseId: detail.id) })
        let files = contents.hasFiles ? try await VisibleFiles(database: request.database).caseFiles(caseId: detail.id) : []
        var chips: [Int: [FileChip]] = [:]
        for file in files.reversed() {
            guard let messageId = file.messageId else { continue }
            chips[messageId, default: []].append(FileChip(id: file.id, name: file.originalName,
                                                          size: Self.formatSize(file.byteSize, language: language),
                                                          isImage: ContentSniffing.isImage(file.contentType)))
        }
        let fields = contents.hasFieldValues ? try await conversation.fieldAnswers(caseId: detail.id) : []
        let editable = !detail.status.isClosed
        let canEditCategory = editable && settings.customerMayEditCategory
        let canEditPriority = editable && settings.customerMayEditPriority
        // A deactivated category or priority (D5) is no longer offered, except the case's own, so that
        // saving the form keeps it.
        let categories = canEditCategory
            ? try await CategoryRecord.query(on: request.database).group(.or) {
                $0.filter(\.$isActive == true)
                if let current = detail.categoryId { $0.filter(\.$id == current) }
            }.sort(\.$sortOrder).all() : []
        let priorities = canEditPriority
            ? try await PriorityRecord.query(on: request.database).group(.or) {
                $0.filter(\.$isActive == true)
                if let current = detail.priorityId { $0.filter(\.$id == current) }
            }.sort(\.$rank).all() : []
        let userId = try principal.user.requireID()
        let answerNeeded = detail.status == .waitingForCustomer
        let quoted = answerNeeded ? try await Self.latestCompanyMessage(on: messages, paging: messagePaging) {
            try await conversation.latestCompanyMessage(caseId: detail.id)
        } : nil
        let names = try await request.catalogueNames()  // issue 12: the reader's language, else the default name
        let layout = Layout(request, title: "\(request.t("case_number_short")) \(detail.number) – \(detail.subject)")
        var page = CasePage(
            layout: layout,
            number: detail.number, subject: detail.subject, description: detail.description,
            status: request.t(detail.status.labelKey), closed: detail.status.isClosed, tone: detail.status.tone.rawValue,
            categoryName: names.name(.category, detail.categoryId, detail.categoryName, in: language),
            caseTypeName: names.name(.caseType, detail.caseTypeId, detail.caseTypeName, in: language),
            billable: detail.caseTypeBillable ?? false,
            priorityName: names.name(.priority, detail.priorityId, detail.priorityName, in: language), customerName: detail.customerName, objectName: detail.objectName,
            objectAddress: detail.objectAddress, workSiteAddress: detail.workSiteAddress, referenceName: detail.referenceName,
            createdAt: language.formatDateTime(detail.createdAt), updatedAt: language.formatDateTime(detail.updatedAt),
            createdBy: detail.createdByName, fromPortal: detail.origin == .portal,
            fields: fields.map { value, isDate in
                // A date field's yyyy-mm-dd is shown as the reader's language writes it (A3).
                FieldView(label: names.name(.typeField, value.fieldId, value.label, in: language),
                          value: isDate ? language.formatDay(value.value) : Self.display(value.value, language: request))
            },
            messageCount: messages.count,
            messagesHTML: Self.messagesHTML(messages.map { message in
                MessageView(id: message.id, author: message.authorKind == .system ? request.t("message_system_author") : message.authorName,
                            fromCompany: message.authorKind == .staff, fromSystem: message.authorKind == .system,
                            body: message.text(request.t), long: message.body.count > 300,  // issue 12: system messages per reader
                            preview: PortalCaseListController.shorten(message.text(request.t), to: 200),
                            createdAt: language.formatDateTime(message.createdAt), files: chips[message.id] ?? [])
            }, caseNumber: detail.number, strings: layout.t.table),
            files: files.map { file in
                FileView(id: file.id, name: file.originalName, size: Self.formatSize(file.byteSize, language: language),
                         uploader: file.uploaderName, createdAt: language.formatDateTime(file.createdAt),
                         isImage: ContentSniffing.isImage(file.contentType),
                         removable: file.uploadedByUserId == userId && editable)
            },
            messageBody: state.messageBody, copyToMe: state.copyToMe,
            person: try await PersonPicker.context(request, principal: principal, input: state.person),
            errors: state.errors, notice: state.notice,
            canEditCategory: canEditCategory, canEditPriority: canEditPriority,
            categories: categories.map {
                Option(value: String($0.id!), name: names.name(.category, $0.id, $0.name, in: language), selected: $0.id == detail.categoryId)
            },
            priorities: priorities.map {
                Option(value: String($0.id!), name: names.name(.priority, $0.id, $0.name, in: language), selected: $0.id == detail.priorityId)
            },
            maxUploadMegabytes: UploadReceiver.maximumFileBytes / 1_048_576,
            awaitingApproval: detail.status == .resolved, approvalComment: state.approvalComment,
            version: detail.version,
            categoryBlankable: detail.categoryId == nil, priorityBlankable: detail.priorityId == nil,
            paging: messagePaging,
            writeOpen: state.writeOpen || !state.messageBody.isEmpty || !state.errors.isEmpty,
            caseLink: PortalRoute.`case`.path([String(detail.number)], query: [], fragment: "messages"),
            backLink: ListReturn.cases.backLink(request),
            approveLabel: request.t(try await approvalLabel(detail, read: contents, on: request.database).buttonKey),
            answerNeeded: answerNeeded,
            answerQuote: quoted.map {
                AnswerQuote(author: $0.authorName, createdAt: language.formatDateTime($0.createdAt),
                            preview: PortalCaseListController.shorten($0.body, to: 400))
            },
            answerLink: PortalRoute.`case`.path([String(detail.number)], query: [("write", "1")], fragment: "write"),
            contact: detail.handlerName.map { ContactView(name: $0, email: detail.handlerEmail, phone: nil) },
            errorSummary: ErrorSummary.links(state.errors, anchors: Self.errorAnchors, request: request),
            classifyOpen: state.errors.keys.contains { $0.hasPrefix("classify_") },
            showDescription: messagePaging.page >= messagePaging.pageCount)
        page.chats = contents.hasChats ? try await CaseChatView.load(request, caseId: detail.id, forStaff: false) : []
        // Written in Swift from frame to files (`PortalCasePageHTML.swift`, `PageHTML.swift`: no Leaf render).
        return request.htmlPage(layout.pageHTML(body: page.bodyHTML()), status: status)
    }

    static let messagesPerPage = 200

    /// The conversation's messages, written here instead of by the template's loop (issue 17: with a page
    /// of messages Leaf's loop was a third of a case view's CPU in perf). The bytes are the loop's, which
    /// `CaseMessagesHTMLTests` checks against Leaf; every value is escaped here.
    static func messagesHTML(_ messages: [MessageView], caseNumber: Int, strings: [String: String]) -> String {
        func t(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        let (fromCompany, showAll, showLess, attachments) = (t("message_from_company"), t("message_show_all"),
                                                              t("message_show_less"), t("casepage_attachments"))
        let number = String(caseNumber)
        var html = ""
        html.reserveCapacity(messages.count * 700)
        for message in messages {
            html += "\n    <li class=\"message\(message.fromCompany ? " message-company" : "")\(message.fromSystem ? " message-system" : "")\""
            html += " id=\"message-\(message.id)\">\n      <div class=\"message-meta\">\n        <strong>\(message.author.escapedHTML)</strong>\n        "
            if message.fromCompany { html += "<span class=\"tag tag-company\">\(fromCompany)</span>" }
            html += "\n        <span class=\"muted\">\(message.createdAt.escapedHTML)</span>\n      </div>\n      "
            let body = message.body.escapedHTML
            if message.long {
                html += "<details class=\"message-long\"><summary><span class=\"message-preview\">\(message.preview.escapedHTML)</span>"
                html += " <span class=\"more\">\(showAll)</span><span class=\"less\">\(showLess)</span></summary>"
                html += "<div class=\"prose\">\(body)</div></details>"
            } else {
                html += "<div class=\"prose\">\(body)</div>"
            }
            html += "\n      "
            fileChipsHTML(message.files, label: attachments, into: &html) { AppRoutes.path(named: "portal.caseFile", [number, String($0)]) }
            html += "\n    </li>\n  "
        }
        return html
    }

    /// The files that came with a message, as chips (the portal's and the back office's case pages): `label`
    /// is already escaped, `link` gives a file's address.
    static func fileChipsHTML(_ files: [FileChip], label: String, into html: inout String, link: (Int) -> String?) {
        guard !files.isEmpty else { return }
        html += "<ul class=\"chips\" aria-label=\"\(label)\">"
        for file in files {
            let href = (link(file.id) ?? "").escapedHTML
            html += "<li><a class=\"chip\" href=\"\(href)\" download>"
            html += file.isImage ? "<img src=\"\(href)?inline=1\" alt=\"\" loading=\"lazy\">"
                                 : "<span class=\"chip-icon\" aria-hidden=\"true\">📎</span>"
            html += "<span class=\"chip-name\">\(file.name.escapedHTML)</span> <span class=\"muted\">\(file.size.escapedHTML)</span></a></li>"
        }
        html += "</ul>"
    }

    /// The page's fields in page order, for the error summary's links.
    static let errorAnchors: [ErrorSummary.Anchor] = [
        .init("approval", "approval-comment", label: "approval_comment"),
        .init("approval_person", "reject-person", label: "person_pick"),
        .init("person", "person", label: "person_pick"),
        .init("person_first_name", "person_first_name", label: "person_first_name"),
        .init("person_last_name", "person_last_name", label: "person_last_name"),
        .init("person_email", "person_email", label: "person_email"),
        .init("body", "body", label: "message_new"),
        .init("message_files", "message-files", label: "casepage_message_files"),
        .init("classify_category", "edit-category", label: "case_category"),
        .init("classify_priority", "edit-priority", label: "case_priority"),
        .init("files", "upload", label: "upload_label"),
        .init("upload_person", "upload-person", label: "person_pick"),
    ]

    /// Yes/no field values are stored as "yes"/"no" and shown in the reader's language.
    static func display(_ value: String, language request: Request) -> String {
        switch value {
        case "yes": return request.t("answer_yes")
        case "no": return request.t("answer_no")
        default: return value
        }
    }

    /// "512 B", "1,5 kB", "30 MB": at most one decimal, in the language's decimal sign, no grouping (as
    /// a `NumberFormatter` with one fraction digit writes it; issue 17: making one per file shown was 6 %
    /// of a case page's CPU in perf). Halves round to even, as the formatter rounds.
    static func formatSize(_ bytes: Int, language: Language) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let (value, unit) = bytes < 1_048_576 ? (Double(bytes) / 1024, " kB") : (Double(bytes) / 1_048_576, " MB")
        let tenths = Int((value * 10).rounded(.toNearestOrEven))
        let whole = String(tenths / 10)
        guard tenths % 10 != 0 else { return whole + unit }
        return whole + (language == .en ? "." : ",") + String(tenths % 10) + unit
    }

    // MARK: Messages

    /// The customer's message: url-encoded, or multipart when it carries files (issue 12). The files
    /// are stored through `UploadIntake` and belong to the message; when the message is refused they
    /// are deleted again and the typed text comes back with the error.
    func postMessage(request: Request) async throws -> Response {
        guard CSRFMiddleware.isMultipart(request) else {
            return try await writeMessage(request, form: try request.form(PortalMessageForm.self), files: [])
        }
        let (principal, detail) = try await findCase(request)
        struct Refused: Error, @unchecked Sendable { let response: Response }
        var answer: Response?
        do {
            try await UploadIntake.store(request, filesRequired: false) { fields, stored in
                let response = try await writeMessage(request, form: try PortalMessageForm(from: FormValueDecoder(values: fields)),
                                                      files: stored)
                // A refused message keeps no files: throwing has them deleted from storage again.
                guard response.status == .seeOther else { throw Refused(response: response) }
                answer = response
            }
        } catch let refused as Refused {
            return refused.response
        } catch let refused as UploadIntake.Refused {
            let form = (try? PortalMessageForm(from: FormValueDecoder(values: refused.fields))) ?? PortalMessageForm()
            var state = PageState(messageBody: form.body, writeOpen: true, copyToMe: form.copyToMe, person: form.person)
            state.errors["message_files"] = request.t(refused.key)
            return try await render(request, principal: principal, detail: detail, state: state, status: refused.status)
        }
        guard let answer else { throw Abort(.internalServerError) }
        return answer
    }

    func writeMessage(_ request: Request, form: PortalMessageForm, files: [AttachUploadedFiles.StoredUpload]) async throws -> Response {
        let input = WriteCustomerMessage.Input(caseNumber: try Self.caseNumber(request), body: form.body,
                                               copyToMe: form.copyToMe, author: form.person.choice, language: request.language,
                                               files: files)
        switch try await WriteCustomerMessage.run(input, by: try request.portalMember(), in: request.operations) {
        case .done(let written):
            let response = request.redirect(to: PortalRoute.`case`, written.caseNumber, notice: .message, fragment: "messages")
            PersonPicker.remember(input.author, on: response, request: request)
            return response
        case .problems(let problems):
            let (principal, detail) = try await findCase(request)
            var state = PageState(messageBody: form.body, writeOpen: true, copyToMe: form.copyToMe, person: form.person)
            state.errors = request.texts(problems) { field in
                switch field {
                case .body: return "body"
                case .author(let picker): return picker.rawValue
                }
            }
            if !files.isEmpty { state.errors["message_files"] = request.t("casepage_files_again") }
            return try await render(request, principal: principal, detail: detail, state: state, status: .unprocessableEntity)
        }
    }

    /// The case number in the path; anything else is a case nobody sees.
    static func caseNumber(_ request: Request) throws -> Int {
        guard let raw = request.parameters.get("number"), raw.count <= 12, let number = Int(raw) else { throw Abort(.notFound) }
        return number
    }

    // MARK: Files

    /// B6: the case type's approval button ("Approved" unless the type says "Tested OK"); read with the case
    /// on a view (`contents`), asked here on a write's page.
    func approvalLabel(_ detail: CaseDetail, read contents: CasePageContents, on db: any Database) async throws -> ApprovalLabel {
        guard detail.status == .resolved, let typeId = detail.caseTypeId else { return .approved }
        if let read = contents.approvalLabel { return read }
        return ApprovalLabel(stored: try await CaseTypeRecord.find(typeId, on: db)?.approvalLabel)
    }

    /// The company's newest message, which the "we need your answer" banner quotes: on the first page of the
    /// conversation (newest first, the order `latestCompanyMessage` reads) when the page holds one; none when
    /// that page holds every message; else asked (`read`). Issue 17: it was a statement on every such view.
    static func latestCompanyMessage(on messages: [PublicMessage], paging: Paging,
                                     read: () async throws -> PublicMessage?) async throws -> PublicMessage? {
        if paging.page == 1 {
            if let newest = messages.first(where: { $0.authorKind == .staff }) { return newest }
            if paging.pageCount == 1 { return nil }
        }
        return try await read()
    }

    func upload(request: Request) async throws -> Response {
        let (principal, detail) = try await findCase(request)
        struct NoAuthor: Error { let key: String }
        var author: AuthorChoice = .none
        do {
            try await UploadIntake.store(request, beforeStoring: { fields in
                // A8: on a shared account the chosen person uploads; asked before any bytes are kept.
                author = Int(fields["person"] ?? "").map { .saved(personId: $0) } ?? .none
                if let problem = try await AttachUploadedFiles.authorProblem(author, by: try request.portalMember(),
                                                                             in: request.operations) {
                    throw NoAuthor(key: problem)
                }
            }) { stored in
                _ = try await AttachUploadedFiles.run(.init(caseNumber: detail.number, files: stored, language: request.language,
                                                            author: author),
                                                      by: try request.portalMember(), in: request.operations)
            }
        } catch let refused as UploadIntake.Refused {
            var state = PageState()
            state.errors["files"] = request.t(refused.key)
            return try await render(request, principal: principal, detail: detail, state: state, status: refused.status)
        } catch let missing as NoAuthor {
            var state = PageState()
            state.errors["upload_person"] = request.t(missing.key)
            return try await render(request, principal: principal, detail: detail, state: state, status: .unprocessableEntity)
        }
        let response = request.redirect(to: PortalRoute.`case`, detail.number, notice: .uploaded, fragment: "files")
        PersonPicker.remember(author, on: response, request: request)
        return response
    }

    /// Keeps the name readable but harmless (`UploadIntake.cleanFilename`).
    static func cleanFilename(_ name: String) -> String { UploadIntake.cleanFilename(name) }

    func download(request: Request) async throws -> Response {
        let file = try await caseFile(request)
        return try await FileResponses.serve(file, request: request, inline: request.query[String.self, at: "inline"] == "1")
    }

    /// The file of the URL, found through the access rule (404 for anything the user may not see).
    func caseFile(_ request: Request) async throws -> StoredFileRecord {
        let principal = try request.requirePortal()
        guard let number = request.parameters.get("number").flatMap(Int.init),
              let fileId = request.parameters.get("fileId").flatMap(Int.init),
              let detail = try await VisibleCases(database: request.database).find(number: number, for: principal.visibility),
              let file = try await VisibleFiles(database: request.database).find(fileId: fileId, cases: principal.visibility,
                                                                           register: FileVisibility(for: principal.viewer)),
              file.caseId == detail.id
        else { throw Abort(.notFound) }
        return file
    }

    /// "Remove file?" (issue 12 point 7): a page that changes nothing; its button posts the removal.
    func confirmRemoveFile(request: Request) async throws -> Response {
        let file = try await caseFile(request)
        let number = try Self.caseNumber(request)
        return try await ConfirmStep(
            layout: Layout(request, title: request.t("confirm_file_remove_title")),
            heading: request.t("confirm_file_remove_title"),
            question: request.t("confirm_file_remove_question").replacingOccurrences(of: "{name}", with: file.originalName),
            detail: request.t("confirm_file_remove_detail"),
            action: PortalRoute.caseFileRemove.path(number, file.id!), button: request.t("file_remove"),
            cancelHref: PortalRoute.`case`.path(number, fragment: "files")).response(request)
    }

    func removeFile(request: Request) async throws -> Response {
        guard ConfirmStep.isConfirmed(request) else { return try await confirmRemoveFile(request: request) }
        guard let fileId = request.parameters.get("fileId").flatMap(Int.init) else { throw Abort(.notFound) }
        let removed = try await RemoveCaseFile.run(.init(caseNumber: try Self.caseNumber(request), fileId: fileId,
                                                         language: request.language),
                                                   by: try request.portalMember(), in: request.operations)
        try await request.caseport.storage.delete(key: removed.storageKey)
        return request.redirect(to: PortalRoute.`case`, removed.caseNumber, notice: .removed, fragment: "files")
    }

    // MARK: Category and priority

    func classify(request: Request) async throws -> Response {
        let form = try request.form(ClassificationForm.self)
        // Absent: leave it. "" (or anything not a number): none.
        let input = ChangeClassification.Input(caseNumber: try Self.caseNumber(request),
                                               expectedVersion: Int(form.version) ?? -1,
                                               categoryId: form.category.map { Int($0) },
                                               priorityId: form.priority.map { Int($0) })
        do {
            switch try await ChangeClassification.run(input, by: try request.portalMember(), in: request.operations) {
            case .done(let number):
                return request.redirect(to: PortalRoute.`case`, number, notice: .saved)
            case .problems(let problems):
                let (principal, detail) = try await findCase(request)
                var state = PageState()
                state.errors = request.texts(problems) { "classify_" + $0.rawValue }
                return try await render(request, principal: principal, detail: detail, state: state,
                                        status: .unprocessableEntity)
            }
        } catch ChangeClassification.Failure.notOffered {
            throw Abort(.badRequest)
        }
    }
}

// MARK: Forms

/// The customer's message on a case (B5): the text, "send me a copy", and on a shared account who
/// is writing (A8).
struct PortalMessageForm: PostedForm {
    static var longestValue: Int { InputLimits.message }
    var body = ""
    var copyToMe = false
    var person = PersonPicker.Input()

    enum CodingKeys: String, CodingKey { case body, copyToMe = "copy_to_me" }

    init() {}

    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: CodingKeys.self)
        body = try posted.decode(String.self, forKey: .body)
        copyToMe = try posted.decode(Bool.self, forKey: .copyToMe)
        person = try PersonPicker.Input(from: decoder)
    }
}

/// The customer's category and priority (B5). A select that was not sent leaves its value alone;
/// "" (or anything not a number) is none.
struct ClassificationForm: PostedForm {
    var category: String?
    var priority: String?
    /// The case's version the page showed (a stale page is refused, issue 11 point 9).
    var version = ""
}
