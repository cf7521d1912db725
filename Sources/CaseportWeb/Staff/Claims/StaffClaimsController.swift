import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Issue 13 (D3): the back office of a claim, on the staff case page's "Claim" part. Every form posts
/// here, calls its operation and redirects back to the case (`#claim`); problems render the case page
/// again with what was typed and the form's disclosure open; a page older than the case is stale (409)
/// with the typed values kept.
struct StaffClaimsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(ClaimOfficeRoute.register, use: register)
        routes.on(ClaimOfficeRoute.details, use: details)
        routes.on(ClaimOfficeRoute.decision, use: decision)
        routes.on(ClaimOfficeRoute.reminder, use: reminder)
        routes.on(ClaimOfficeRoute.contactRole, use: contactRole)
        routes.on(ClaimOfficeRoute.status, use: status)
        routes.on(ClaimOfficeRoute.taskAdd, use: addTask)
        routes.on(ClaimOfficeRoute.taskEdit, use: editTask)
        routes.on(ClaimOfficeRoute.taskState, use: taskState)
        routes.on(ClaimOfficeRoute.taskSchedule, use: reschedule)
        routes.on(ClaimOfficeRoute.taskMedia, body: .stream, use: taskMedia).acceptsMultipart()
        routes.on(ClaimOfficeRoute.callLog, use: logCall)
        try ClaimAttentionController().boot(routes: routes)
    }

    static let fragment = "claim"

    func number(_ request: Request) throws -> Int { try StaffCasesController.caseNumber(request) }

    func task(_ request: Request) throws -> Int {
        guard let id = request.parameters.get("task").flatMap(Int.init) else { throw Abort(.notFound) }
        return id
    }

    func back(_ request: Request, _ number: Int, notice: Notice = .saved) -> Response {
        request.redirect(to: StaffRoute.`case`, number, notice: notice, fragment: Self.fragment)
    }

    /// The case page again, with the claim form's state.
    func again(_ request: Request, _ state: ClaimPanelState, status: HTTPResponseStatus) async throws -> Response {
        let cases = StaffCasesController()
        var page = StaffCasesController.PageState()
        page.claim = state
        return try await cases.render(request, record: try await cases.findCase(request), state: page, status: status)
    }

    /// Runs an operation that answers with problems; stale → 409 with the form kept.
    func handle<Field: RawRepresentable>(_ request: Request, state: ClaimPanelState, notice: Notice = .saved,
                                         _ run: () async throws -> Outcome<Int, Field>) async throws -> Response
        where Field.RawValue == String {
        var state = state
        do {
            switch try await run() {
            case .done:
                // Registering, a role, the first inspection or a decision may make the customer's link due.
                request.caseport.claimLinkWakeUps.wake(caseNumber: try number(request))
                return back(request, try number(request), notice: notice)
            case .problems(let problems):
                state.errors = request.texts(problems)
                return try await again(request, state, status: .unprocessableEntity)
            }
        } catch OperationError.stale {
            state.errors = ["claim": request.t("staff_error_stale")]
            return try await again(request, state, status: .conflict)
        }
    }

    func register(request: Request) async throws -> Response {
        let form = try request.form(ClaimRegisterForm.self)
        let state = ClaimPanelState(open: .register, register: form)
        guard let version = form.version else { throw Abort(.badRequest) }
        let input = RegisterClaim.Input(caseNumber: try number(request), expectedVersion: version,
                                        incident: TypedTime(form.incident, language: request.language), damageType: form.damageType,
                                        policyholderType: form.policyholderType)
        return try await handle(request, state: state, notice: .created) {
            try await RegisterClaim.run(input, by: try request.staffMember(), in: request.operations)
        }
    }

    func details(request: Request) async throws -> Response {
        let form = try request.form(ClaimDetailsForm.self)
        guard let version = form.version else { throw Abort(.badRequest) }
        let language = request.language
        let input = EditClaimDetails.Input(
            caseNumber: try number(request), expectedVersion: version, incident: TypedTime(form.incident, language: language),
            damageType: form.damageType, policyholderType: form.policyholderType, address: form.address,
            projectManagerName: form.projectManagerName, projectManagerPhone: form.projectManagerPhone,
            projectOffice: ChosenId(form: form.projectOffice), expertName: form.expertName, expertPhone: form.expertPhone,
            appointment: TypedTime(form.appointment, language: language))
        return try await handle(request, state: ClaimPanelState(open: .details, details: form)) {
            try await EditClaimDetails.run(input, by: try request.staffMember(), in: request.operations)
        }
    }

    func decision(request: Request) async throws -> Response {
        let form = try request.form(ClaimDecisionForm.self)
        guard let version = form.version else { throw Abort(.badRequest) }
        let input = DecideCompensation.Input(caseNumber: try number(request), expectedVersion: version, decision: form.decision,
                                             confirmed: form.confirm)
        do {
            return try await handle(request, state: ClaimPanelState(open: .decision, decision: form)) {
                try await DecideCompensation.run(input, by: try request.staffMember(), in: request.operations)
            }
        } catch OperationError.alreadyDone {
            return back(request, try number(request))
        }
    }

    func reminder(request: Request) async throws -> Response {
        let form = try request.form(ClaimReminderForm.self)
        let input = SetClaimReminder.Input(caseNumber: try number(request), day: form.day, note: form.note, language: request.language)
        return try await handle(request, state: ClaimPanelState(open: .reminder, reminder: form)) {
            try await SetClaimReminder.run(input, by: try request.staffMember(), in: request.operations)
        }
    }

    func contactRole(request: Request) async throws -> Response {
        let form = try request.form(ClaimRoleForm.self)
        guard let contact = request.parameters.get("contact").flatMap(Int.init) else { throw Abort(.notFound) }
        let input = SetClaimContactRole.Input(caseNumber: try number(request), contactId: contact, role: form.role)
        return try await handle(request, state: ClaimPanelState(open: .roles)) {
            try await SetClaimContactRole.run(input, by: try request.staffMember(), in: request.operations)
        }
    }

    func status(request: Request) async throws -> Response {
        let form = try request.form(ClaimStatusForm.self)
        guard let version = form.version, let next = CaseStatus(rawValue: form.status) else { throw Abort(.badRequest) }
        let input = CloseOrReopenClaim.Input(caseNumber: try number(request), expectedVersion: version, next: next, comment: form.comment,
                                             language: request.language)
        do {
            return try await handle(request, state: ClaimPanelState(open: .status, status: form), notice: .status) {
                try await CloseOrReopenClaim.run(input, by: try request.staffMember(), in: request.operations)
            }
        } catch OperationError.notAllowedNow {
            var state = ClaimPanelState(open: .status, status: form)
            state.errors = ["claim": request.t("staff_error_transition")]
            return try await again(request, state, status: .unprocessableEntity)
        }
    }

    func addTask(request: Request) async throws -> Response {
        let form = try request.form(ClaimTaskForm.self)
        guard let version = form.version else { throw Abort(.badRequest) }
        let input = AddClaimTask.Input(caseNumber: try number(request), expectedVersion: version, values: form.values(language: request.language))
        return try await handle(request, state: ClaimPanelState(open: .newTask, task: form), notice: .added) {
            try await AddClaimTask.run(input, by: try request.staffMember(), in: request.operations)
        }
    }

    func editTask(request: Request) async throws -> Response {
        let form = try request.form(ClaimTaskForm.self)
        guard let version = form.version else { throw Abort(.badRequest) }
        let taskId = try task(request)
        let input = EditClaimTask.Input(caseNumber: try number(request), taskId: taskId, expectedVersion: version,
                                        values: form.values(language: request.language))
        return try await handle(request, state: ClaimPanelState(open: .task(taskId), task: form)) {
            try await EditClaimTask.run(input, by: try request.staffMember(), in: request.operations)
        }
    }

    func reschedule(request: Request) async throws -> Response {
        let form = try request.form(ClaimScheduleForm.self)
        guard let version = form.version else { throw Abort(.badRequest) }
        let taskId = try task(request)
        let language = request.language
        let input = RescheduleClaimTask.Input(caseNumber: try number(request), taskId: taskId, expectedVersion: version,
                                              starts: TypedTime(form.starts, language: language), ends: TypedTime(form.ends, language: language))
        return try await handle(request, state: ClaimPanelState(open: .schedule(taskId), schedule: form)) {
            try await RescheduleClaimTask.run(input, by: try request.staffMember(), in: request.operations)
        }
    }

    func taskState(request: Request) async throws -> Response {
        let form = try request.form(ClaimStateForm.self)
        guard let version = form.version, let next = ClaimTaskState(rawValue: form.state) else { throw Abort(.badRequest) }
        let number = try number(request)
        do {
            _ = try await ChangeClaimTaskState.run(.init(caseNumber: number, taskId: try task(request), expectedVersion: version, next: next),
                                                   by: try request.staffMember(), in: request.operations)
        } catch OperationError.alreadyDone {
            // A double click: the task is where it was asked to be.
        } catch OperationError.stale {
            var state = ClaimPanelState(open: .task(try task(request)))
            state.errors = ["claim": request.t("staff_error_stale")]
            return try await again(request, state, status: .conflict)
        }
        return back(request, number)
    }

    func logCall(request: Request) async throws -> Response {
        let form = try request.form(ClaimCallForm.self)
        let input = LogClaimCall.Input(caseNumber: try number(request), caller: form.caller, calleeName: form.callee,
                                       calleeNumber: form.number, answered: form.answered, length: form.length)
        return try await handle(request, state: ClaimPanelState(open: .call, call: form), notice: .added) {
            try await LogClaimCall.run(input, by: try request.staffMember(), in: request.operations)
        }
    }

    /// Media on a task: multipart, the form token first (the upload intake checks it before any file).
    func taskMedia(request: Request) async throws -> Response {
        let number = try number(request), taskId = try task(request)
        do {
            try await UploadIntake.store(request) { stored in
                _ = try await AttachClaimTaskMedia.run(.init(caseNumber: number, taskId: taskId, files: stored),
                                                       by: try request.staffMember(), in: request.operations)
            }
        } catch let refused as UploadIntake.Refused {
            var state = ClaimPanelState(open: .media(taskId))
            state.errors = ["task_media": request.t(refused.key)]
            return try await again(request, state, status: refused.status)
        }
        return back(request, number, notice: .uploaded)
    }
}

/// The start page's attention rows (seed 002) and their case lists, and "mark reviewed" for a
/// document a supplier sent.
struct ClaimAttentionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(ClaimOfficeRoute.attention, use: list)
        routes.on(ClaimOfficeRoute.fileReviewed, use: reviewed)
    }

    struct Row: Encodable {
        var number: Int
        var subject: String
        var status: String
        var tone: String
        var detail: String?
        /// Documents a supplier sent, not reviewed yet (the supplier-uploads list).
        var files: [FileView]
    }

    struct FileView: Encodable {
        var id: Int
        var name: String
        var at: String
    }

    struct ListPage: Encodable {
        var layout: Layout
        var heading: String
        var rows: [Row]
        var supplierFiles: Bool
        var notice: String?
    }

    /// Counts stop here on the start page.
    static let cap = 999

    /// The start page's rows: label, count and link, in the seed's order.
    struct Count: Encodable {
        var key: String
        var label: String
        var count: String
        var link: String
    }

    /// The handler's reminders (today, tomorrow, later) and the other rows.
    struct Counts: Encodable {
        var reminders: [Count]
        var rows: [Count]
    }

    static func counts(_ request: Request, staffId: Int) async throws -> Counts {
        let attention = ClaimAttention(database: request.database, now: Date())
        let counts = try await attention.counts(staffId: staffId, cap: cap)
        let all = ClaimAttention.Row.allCases.map { row in
            let n = counts[row] ?? 0
            return Count(key: row.rawValue, label: request.t("claims_attention_\(row.rawValue)"),
                         count: n > cap ? "\(cap)+" : String(n), link: ClaimOfficeRoute.attention.path(row.rawValue))
        }
        return Counts(reminders: Array(all.prefix(3)), rows: Array(all.dropFirst(3)))
    }

    func list(request: Request) async throws -> View {
        let staff = try request.requireStaff()
        guard let raw = request.parameters.get("row"), let row = ClaimAttention.Row(rawValue: raw) else { throw Abort(.notFound) }
        let attention = ClaimAttention(database: request.database, now: Date())
        let ids = try await attention.caseIds(row, staffId: try staff.user.requireID(), limit: 200)
        let records = ids.isEmpty ? [] : try await CaseRecord.query(on: request.database).filter(\.$id ~~ ids).all()
        let byId = Dictionary(records.map { ($0.id!, $0) }, uniquingKeysWith: { first, _ in first })
        let language = request.language
        var details: [Int: ClaimDetailsRecord] = [:]
        if [.remindersToday, .remindersTomorrow, .remindersLater].contains(row), !ids.isEmpty {
            for record in try await ClaimDetailsRecord.query(on: request.database).filter(\.$id ~~ ids).all() { details[record.id!] = record }
        }
        var files: [Int: [FileView]] = [:]
        if row == .supplierUploads, !ids.isEmpty {
            for file in try await StoredFileRecord.query(on: request.database).filter(\.$caseId ~~ ids).filter(\.$supplierId != nil)
                .filter(\.$reviewedAt == nil).filter(\.$removedAt == nil).sort(\.$createdAt).limit(500).all() {
                files[file.caseId!, default: []].append(FileView(id: file.id!, name: file.title ?? file.originalName,
                                                                 at: language.formatDateTime(file.createdAt)))
            }
        }
        let rows = ids.compactMap { id -> Row? in
            guard let record = byId[id] else { return nil }
            let detail = details[id].map { d in
                ClaimTimeText.formatDay(d.reminderOn, language: language) + (d.reminderNote.map { " – \($0)" } ?? "")
            }
            return Row(number: record.number, subject: record.subject, status: request.staffStatus(record.status),
                       tone: record.status.tone.rawValue, detail: detail, files: files[id] ?? [])
        }
        let heading = request.t("claims_attention_\(row.rawValue)")
        return try await request.view.render("staff/claims/attention", ListPage(
            layout: Layout(request, title: heading, area: "staff"), heading: heading, rows: rows, supplierFiles: row == .supplierUploads,
            notice: request.notice([.saved], prefix: "staff_notice_")))
    }

    func reviewed(request: Request) async throws -> Response {
        guard let fileId = request.parameters.get("fileId").flatMap(Int.init) else { throw Abort(.notFound) }
        _ = try await MarkSupplierFileReviewed.run(fileId: fileId, by: try request.staffMember(), in: request.operations)
        return request.redirect(to: ClaimOfficeRoute.attention, ClaimAttention.Row.supplierUploads.rawValue, notice: .saved)
    }
}
