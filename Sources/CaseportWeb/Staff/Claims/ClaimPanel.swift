import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// What a failed claim form keeps for the case page: the typed values and the problems, and which
/// disclosure opens again (issue 13).
struct ClaimPanelState {
    enum Open: Equatable { case register, details, decision, reminder, newTask, task(Int), schedule(Int), media(Int), call, status, roles }
    var open: Open
    var errors: [String: String] = [:]
    var register: ClaimRegisterForm? = nil
    var details: ClaimDetailsForm? = nil
    var decision: ClaimDecisionForm? = nil
    var reminder: ClaimReminderForm? = nil
    var task: ClaimTaskForm? = nil
    var schedule: ClaimScheduleForm? = nil
    var call: ClaimCallForm? = nil
    var status: ClaimStatusForm? = nil
}

/// The staff case page's "Claim" part (issue 13, D3; written by `ClaimPanelHTML.swift`): before the case is a
/// claim, the form that registers it; then the claim's facts with "Change" disclosures, the contacts'
/// roles, the handler's reminder, the decision, the tasks with their media and the call history.
struct ClaimPanel: Encodable {
    typealias Option = SelectOption

    struct Fact: Encodable {
        var label: String
        var value: String
    }

    struct ContactRole: Encodable {
        var id: Int
        var name: String
        var roles: [Option]
        var role: String?
    }

    struct MediaView: Encodable {
        var id: Int
        var name: String
        var isImage: Bool
    }

    struct TaskView: Encodable {
        var id: Int
        var kind: String
        var title: String
        var state: String
        var stateKey: String
        var office: String?
        var officePhone: String?
        var responsible: String?
        var phone: String?
        var starts: String?
        var ends: String?
        var description: String
        var awaiting: Bool
        var media: [MediaView]
        var canStart: Bool
        var canFinish: Bool
        var values: ClaimTaskForm
        var kinds: [Option]
        var offices: [Option]
        var errors: [String: String]
        var editOpen: Bool
        var scheduleOpen: Bool
        var mediaOpen: Bool
    }

    struct CallView: Encodable {
        var at: String
        var caller: String
        var callee: String
        var number: String
        var answered: Bool
        var length: String
    }

    var isClaim: Bool
    var number: Int
    var version: Int
    var errors: [String: String]
    /// Which disclosure shows open ("register", "details", "decision", …).
    var open: String
    var timePattern: String
    var dayPattern: String
    var register: ClaimRegisterForm
    var policyholderTypes: [Option]
    var facts: [Fact]
    var details: ClaimDetailsForm
    var offices: [Option]
    var decision: String?
    var decisionPositive: Bool
    var decisionForm: ClaimDecisionForm
    var decisions: [Option]
    var reminder: String?
    var reminderForm: ClaimReminderForm
    var contacts: [ContactRole]
    var tasks: [TaskView]
    var newTask: ClaimTaskForm
    var newTaskErrors: [String: String]
    var newTaskKinds: [Option]
    var newTaskOffices: [Option]
    var calls: [CallView]
    var call: ClaimCallForm
    /// "closed" or "reopened" when the case may move there now (with a comment / reason).
    var statusNext: String?
    var statusForm: ClaimStatusForm
    var maxUploadMegabytes: Int
    /// D4 (seed 002 "Kundekontakt [1]", "Dokumenter [2]"): the customer's unread messages and uploads.
    var unreadContact: Int
    var unreadDocuments: Int

    /// `mayBeClaim`: false when the page has read already that the case is no claim (then nothing is read).
    static func load(_ request: Request, record: StaffCaseFacts, state: ClaimPanelState?, unreadMessages: Int, unreadFiles: Int,
                     mayBeClaim: Bool = true) async throws -> ClaimPanel {
        let language = request.language
        let caseId = record.id
        let store = ClaimBackOffice(database: request.database)
        let details = mayBeClaim ? try await store.details(caseId: caseId) : nil
        func time(_ date: Date?) -> String? { date.map { language.formatDateTime($0) } }
        let errors = state?.errors ?? [:]
        let open: String
        switch state?.open {
        case .register?: open = "register"
        case .details?: open = "details"
        case .decision?: open = "decision"
        case .reminder?: open = "reminder"
        case .newTask?: open = "new-task"
        case .call?: open = "call"
        case .status?: open = "status"
        case .roles?: open = "roles"
        default: open = ""
        }
        let register = state?.register ?? ClaimRegisterForm()
        let policyholder = state?.details?.policyholderType ?? register.policyholderType
        var panel = ClaimPanel(
            isClaim: details != nil, number: record.number, version: record.version, errors: errors, open: open,
            timePattern: request.t("claims_time_pattern_\(language.rawValue)"), dayPattern: request.t(language.dayPatternKey),
            register: register,
            policyholderTypes: ClaimCustomerType.allCases.map {
                Option(value: $0.rawValue, name: request.t("claims_policyholder_\($0.rawValue)"),
                       selected: (details?.policyholderType ?? policyholder) == $0.rawValue)
            },
            facts: [], details: ClaimDetailsForm(), offices: [], decision: nil, decisionPositive: false,
            decisionForm: state?.decision ?? ClaimDecisionForm(), decisions: [], reminder: nil,
            reminderForm: state?.reminder ?? ClaimReminderForm(), contacts: [], tasks: [], newTask: ClaimTaskForm(), newTaskErrors: [:],
            newTaskKinds: [], newTaskOffices: [], calls: [], call: state?.call ?? ClaimCallForm(),
            statusNext: nil, statusForm: state?.status ?? ClaimStatusForm(),
            maxUploadMegabytes: UploadReceiver.maximumFileBytes / 1_048_576,
            unreadContact: unreadMessages, unreadDocuments: unreadFiles)
        guard let details else { return panel }

        // The project offices (suppliers) only a claim's panel offers.
        let suppliers = try await SupplierRecord.query(on: request.database).sort(\.$name).limit(500).all()
        let supplierById = Dictionary(suppliers.map { ($0.id!, $0) }, uniquingKeysWith: { first, _ in first })
        func officeOptions(_ chosen: String) -> [Option] {
            suppliers.filter { $0.isActive || String($0.id!) == chosen }
                .map { Option(value: String($0.id!), name: $0.name, selected: String($0.id!) == chosen) }
        }

        panel.details = state?.details ?? ClaimDetailsForm(details, workSiteAddress: record.workSiteAddress, language: language)
        panel.policyholderTypes = ClaimCustomerType.allCases.map {
            Option(value: $0.rawValue, name: request.t("claims_policyholder_\($0.rawValue)"), selected: panel.details.policyholderType == $0.rawValue)
        }
        panel.offices = officeOptions(panel.details.projectOffice)
        let office = details.projectOfficeId.flatMap { supplierById[$0] }
        func person(_ name: String?, _ phone: String?) -> String {
            guard let name else { return "–" }
            return phone.map { "\(name) (\($0))" } ?? name
        }
        panel.facts = [
            Fact(label: request.t("claims_incident"), value: time(details.incidentAt) ?? "–"),
            Fact(label: request.t("claims_damage_type"), value: details.damageType ?? "–"),
            Fact(label: request.t("claims_policyholder_type"), value: request.t("claims_policyholder_\(details.policyholderType)")),
            Fact(label: request.t("claims_address"), value: record.workSiteAddress ?? "–"),
            Fact(label: request.t("claims_project_manager"), value: person(details.projectManagerName, details.projectManagerPhone)),
            Fact(label: request.t("claims_project_office"), value: office?.name ?? "–"),
            Fact(label: request.t("claims_expert"), value: person(details.expertName, details.expertPhone)),
            Fact(label: request.t("claims_appointment"), value: time(details.appointmentAt) ?? "–"),
        ]
        if let decision = details.decision {
            panel.decision = request.t("claims_decision_\(decision)") + (details.decisionAt.map { " · " + language.formatDateTime($0) } ?? "")
            panel.decisionPositive = decision == CompensationDecision.positive.rawValue
        }
        panel.decisions = CompensationDecision.allCases.map {
            Option(value: $0.rawValue, name: request.t("claims_decision_\($0.rawValue)"), selected: panel.decisionForm.decision == $0.rawValue)
        }
        if let day = details.reminderOn {
            panel.reminder = ClaimTimeText.formatDay(day, language: language) + (details.reminderNote.map { " – \($0)" } ?? "")
        }
        if state?.reminder == nil {
            panel.reminderForm = ClaimReminderForm(day: ClaimTimeText.formatDay(details.reminderOn, language: language),
                                                   note: details.reminderNote ?? "")
        }
        let roles = try await store.contactRoles(caseId: caseId)
        panel.contacts = try await CaseContacts(database: request.database).linked(caseId: caseId).map { contact in
            let role = roles[contact.contactId]
            return ContactRole(id: contact.contactId, name: contact.name,
                               roles: [Option(value: "", name: request.t("claims_role_none"), selected: role == nil)]
                                   + ClaimContactRole.allCases.map {
                                       Option(value: $0.rawValue, name: request.t("claims_role_\($0.rawValue)"), selected: role == $0.rawValue)
                                   },
                               role: role.map { request.t("claims_role_\($0)") })
        }
        let media = try await store.taskMedia(caseId: caseId)
        let failedTask: Int? = {
            switch state?.open {
            case .task(let id)?, .schedule(let id)?, .media(let id)?: return id
            default: return nil
            }
        }()
        func kinds(_ chosen: String) -> [Option] {
            ClaimTaskKind.allCases.map { Option(value: $0.rawValue, name: request.t("claims_task_kind_\($0.rawValue)"), selected: chosen == $0.rawValue) }
        }
        panel.tasks = try await store.tasks(caseId: caseId).map { task in
            let id = task.id!
            let taskOffice = task.supplierId.flatMap { supplierById[$0] }
            var values = ClaimTaskForm(task, language: language)
            var taskErrors: [String: String] = [:]
            if failedTask == id {
                if case .task? = state?.open, let typed = state?.task { values = typed }
                if case .schedule? = state?.open, let typed = state?.schedule { values.starts = typed.starts; values.ends = typed.ends }
                taskErrors = errors
            }
            let stateValue = ClaimTaskState(rawValue: task.state) ?? .planned
            return TaskView(
                id: id, kind: request.t("claims_task_kind_\(task.kind)"), title: task.title,
                state: request.t("claims_task_state_\(stateValue.rawValue)"), stateKey: stateValue.rawValue,
                office: taskOffice?.name, officePhone: taskOffice?.phone, responsible: task.responsibleName, phone: task.responsiblePhone,
                starts: time(task.startsAt), ends: time(task.endsAt), description: task.description, awaiting: task.awaitingSupplier,
                media: media.filter { $0.taskId == id }.map { MediaView(id: $0.id!, name: $0.originalName, isImage: ContentSniffing.isImage($0.contentType)) },
                canStart: stateValue != .started, canFinish: stateValue != .finished,
                values: values, kinds: kinds(values.kind), offices: officeOptions(values.office), errors: taskErrors,
                editOpen: failedTask == id && { if case .task? = state?.open { return true }; return false }(),
                scheduleOpen: failedTask == id && { if case .schedule? = state?.open { return true }; return false }(),
                mediaOpen: failedTask == id && { if case .media? = state?.open { return true }; return false }())
        }
        panel.newTask = state?.open == .newTask ? (state?.task ?? ClaimTaskForm()) : ClaimTaskForm()
        panel.newTaskErrors = state?.open == .newTask ? errors : [:]
        panel.newTaskKinds = kinds(panel.newTask.kind)
        panel.newTaskOffices = officeOptions(panel.newTask.office)
        panel.calls = try await store.calls(caseId: caseId).map {
            CallView(at: language.formatDateTime($0.calledAt), caller: $0.callerName, callee: $0.calleeName, number: $0.calleeNumber,
                     answered: $0.answered, length: CallLength.format($0.seconds))
        }
        if record.status.canMove(to: .closed) { panel.statusNext = CaseStatus.closed.rawValue }
        else if record.status.canMove(to: .reopened) { panel.statusNext = CaseStatus.reopened.rawValue }
        return panel
    }
}

// MARK: Forms
//
// Each form decodes the names it posts (`Posted`) and encodes its properties by their own names, which
// the template reads (`claim.details.projectManagerName`), so a failed save shows what was typed.

struct ClaimRegisterForm: PostedForm, Encodable {
    var version: Int?
    var incident = ""
    var damageType = ""
    var policyholderType = ClaimCustomerType.privateCustomer.rawValue
    enum Posted: String, CodingKey { case version, incident, damageType = "damage_type", policyholderType = "policyholder_type" }
    init() {}
    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: Posted.self)
        version = try posted.decodeIfPresent(Int.self, forKey: .version)
        incident = try posted.decode(String.self, forKey: .incident)
        damageType = try posted.decode(String.self, forKey: .damageType)
        policyholderType = try posted.decode(String.self, forKey: .policyholderType)
    }
}

struct ClaimDetailsForm: PostedForm, Encodable {
    var version: Int?
    var incident = "", damageType = "", policyholderType = "", address = ""
    var projectManagerName = "", projectManagerPhone = "", projectOffice = ""
    var expertName = "", expertPhone = "", appointment = ""
    enum Posted: String, CodingKey {
        case version, incident, damageType = "damage_type", policyholderType = "policyholder_type", address
        case projectManagerName = "pm_name", projectManagerPhone = "pm_phone", projectOffice = "pm_office"
        case expertName = "expert_name", expertPhone = "expert_phone", appointment
    }
    init() {}
    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: Posted.self)
        version = try posted.decodeIfPresent(Int.self, forKey: .version)
        func text(_ key: Posted) throws -> String { try posted.decode(String.self, forKey: key) }
        (incident, damageType, policyholderType, address) = (try text(.incident), try text(.damageType), try text(.policyholderType),
                                                            try text(.address))
        (projectManagerName, projectManagerPhone, projectOffice) = (try text(.projectManagerName), try text(.projectManagerPhone),
                                                                    try text(.projectOffice))
        (expertName, expertPhone, appointment) = (try text(.expertName), try text(.expertPhone), try text(.appointment))
    }
    init(_ details: ClaimDetailsRecord, workSiteAddress: String?, language: Language) {
        incident = ClaimTimeText.format(details.incidentAt, language: language)
        damageType = details.damageType ?? ""
        policyholderType = details.policyholderType
        address = workSiteAddress ?? ""
        projectManagerName = details.projectManagerName ?? ""
        projectManagerPhone = details.projectManagerPhone ?? ""
        projectOffice = details.projectOfficeId.map(String.init) ?? ""
        expertName = details.expertName ?? ""
        expertPhone = details.expertPhone ?? ""
        appointment = ClaimTimeText.format(details.appointmentAt, language: language)
    }
}

struct ClaimDecisionForm: PostedForm, Encodable {
    var version: Int?
    var decision = ""
    var confirm = false
    init() {}
}

struct ClaimReminderForm: PostedForm, Encodable {
    var day = ""
    var note = ""
    enum Posted: String, CodingKey { case day = "reminder_day", note = "reminder_note" }
    init() {}
    init(day: String, note: String) {
        self.day = day
        self.note = note
    }
    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: Posted.self)
        day = try posted.decode(String.self, forKey: .day)
        note = try posted.decode(String.self, forKey: .note)
    }
}

struct ClaimTaskForm: PostedForm, Encodable {
    var version: Int?
    var kind = ClaimTaskKind.inspection.rawValue, title = "", office = "", responsible = "", phone = ""
    var starts = "", ends = "", description = ""
    var awaiting = false
    enum Posted: String, CodingKey {
        case version, kind = "task_kind", title = "task_title", office = "task_office", responsible = "task_responsible"
        case phone = "task_phone", starts = "task_starts", ends = "task_ends", description = "task_description"
        case awaiting = "task_awaiting"
    }
    init() {}
    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: Posted.self)
        version = try posted.decodeIfPresent(Int.self, forKey: .version)
        func text(_ key: Posted) throws -> String { try posted.decode(String.self, forKey: key) }
        (kind, title, office, responsible, phone) = (try text(.kind), try text(.title), try text(.office), try text(.responsible),
                                                     try text(.phone))
        (starts, ends, description) = (try text(.starts), try text(.ends), try text(.description))
        awaiting = try posted.decode(Bool.self, forKey: .awaiting)
    }
    init(_ task: ClaimTaskRecord, language: Language) {
        kind = task.kind
        title = task.title
        office = task.supplierId.map(String.init) ?? ""
        responsible = task.responsibleName ?? ""
        phone = task.responsiblePhone ?? ""
        starts = ClaimTimeText.format(task.startsAt, language: language)
        ends = ClaimTimeText.format(task.endsAt, language: language)
        description = task.description
        awaiting = task.awaitingSupplier
    }

    func values(language: Language) -> ClaimTaskValues {
        ClaimTaskValues(kind: kind, title: title, office: ChosenId(form: office), responsibleName: responsible, responsiblePhone: phone,
                        starts: TypedTime(starts, language: language), ends: TypedTime(ends, language: language),
                        description: description, awaitingSupplier: awaiting)
    }
}

struct ClaimScheduleForm: PostedForm, Encodable {
    var version: Int?
    var starts = "", ends = ""
    enum Posted: String, CodingKey { case version, starts = "task_starts", ends = "task_ends" }
    init() {}
    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: Posted.self)
        version = try posted.decodeIfPresent(Int.self, forKey: .version)
        starts = try posted.decode(String.self, forKey: .starts)
        ends = try posted.decode(String.self, forKey: .ends)
    }
}

struct ClaimStateForm: PostedForm {
    var version: Int?
    var state = ""
}

struct ClaimRoleForm: PostedForm {
    var role = ""
}

struct ClaimCallForm: PostedForm, Encodable {
    var caller = "", callee = "", number = "", length = ""
    var answered = false
    enum Posted: String, CodingKey {
        case caller = "call_caller", callee = "call_callee", number = "call_number", length = "call_length", answered = "call_answered"
    }
    init() {}
    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: Posted.self)
        func text(_ key: Posted) throws -> String { try posted.decode(String.self, forKey: key) }
        (caller, callee, number, length) = (try text(.caller), try text(.callee), try text(.number), try text(.length))
        answered = try posted.decode(Bool.self, forKey: .answered)
    }
}

struct ClaimStatusForm: PostedForm, Encodable {
    var version: Int?
    var status = ""
    var comment = ""
    enum Posted: String, CodingKey { case version, status, comment = "status_comment" }
    init() {}
    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: Posted.self)
        version = try posted.decodeIfPresent(Int.self, forKey: .version)
        status = try posted.decode(String.self, forKey: .status)
        comment = try posted.decode(String.self, forKey: .comment)
    }
}
