import Foundation

/// Who may see a case event. The operation that writes the event decides (D3, C1): an internal
/// note or a change of handler is for staff only; a message to the customer or a status change is
/// also the customer's news.
public enum EventAudience: String, Codable, Sendable, CaseIterable {
    case staff
    case customer
}

/// The fields of a case whose edits are recorded as `CaseEvent.fieldChanged`.
public enum CaseEventField: String, Codable, Sendable, CaseIterable {
    case subject, description, category, type, priority, customer, object
}

/// One change to a case, with what a reader of the stream needs to show it. Stored in `case_events`
/// as its `kind` and a JSON payload; a consumer (the staff timeline, later the customer feed, webhooks,
/// the API and chat) reads them in id order and resumes from the last id it saw.
public enum CaseEvent: Sendable, Hashable {
    /// The case was registered; `channel` says where (the case's origin: `.portal` today). A case made
    /// from an inquiry writes `createdFromInquiry` instead.
    case created(channel: CaseOrigin)
    /// The case was made from an inquiry (D2).
    case createdFromInquiry
    case statusChanged(from: CaseStatus, to: CaseStatus)
    /// A staff edit of one field; values are the names shown at the time (not ids).
    case fieldChanged(CaseEventField, before: String?, after: String?)
    case handlerChanged(before: String?, after: String?)
    case supplierChanged(before: String?, after: String?)
    /// Staff wrote to the customer.
    case staffMessage
    /// Staff wrote an internal note (never shown to customers).
    case internalNote
    /// The customer wrote in the portal.
    case customerMessage
    /// A reply to a notification mail became a message (B7).
    case emailReply
    /// Files were uploaded to the case (by the customer, or by staff); their shown names.
    case filesUploaded(names: [String])
    /// A file was removed from the case (the customer's own, or any by staff).
    case fileRemoved(name: String)
    /// The customer changed category or priority (B5).
    case classificationChanged(category: Change?, priority: Change?)
    case approved
    case rejected
    case autoApproved
    case approvalReminderSent
    /// Staff linked a further contact to the case (A7: its users now see the case); the contact's name.
    case contactLinked(name: String)
    /// Staff unlinked a contact from the case.
    case contactUnlinked(name: String)
    /// Issue 14 (B8): staff booked an article row; the article as "code name" and the quantity as typed
    /// (plain, e.g. "1.5"); `workOrder` when booked on one of the case's work orders.
    case articleRowBooked(article: String, quantity: String, workOrder: Int?)
    /// Staff removed a booked row (one not on a specification).
    case articleRowRemoved(article: String, quantity: String)
    /// A work order was created on the case (its id and title).
    case workOrderCreated(workOrder: Int, title: String)
    /// A work order's details were edited (type, supplier, dates, title or description).
    case workOrderChanged(workOrder: Int, title: String)
    /// A work order moved draft → sent → accepted → done.
    case workOrderStateChanged(workOrder: Int, from: WorkOrderState, to: WorkOrderState)
    /// Rows of this case were copied into invoice specification `number` (B10).
    case specificationCreated(number: Int)
    /// The customer approved or rejected specification `number`.
    case specificationApproved(number: Int)
    case specificationRejected(number: Int)

    // Issue 13 (D3, seed 002): the claim's own events, each an entry of the customer feed's filter
    // (`ClaimFeedEntry`). Names are as shown at the time; a task is named by id, kind and title.
    /// A call made about the case: who called whom, answered or not, and for how long.
    case callLogged(caller: String, callee: String, answered: Bool, seconds: Int)
    /// An expert / inspector was assigned; their name.
    case expertAssigned(name: String)
    case taskAdded(task: Int, kind: ClaimTaskKind, title: String)
    case taskStarted(task: Int, kind: ClaimTaskKind, title: String)
    case taskFinished(task: Int, kind: ClaimTaskKind, title: String)
    /// A task's start or end was set or moved (also the first time).
    case taskScheduleChanged(task: Int, title: String, starts: Date?, ends: Date?)
    /// The office (supplier) of a task was set or changed; nil when removed.
    case taskOfficeChanged(task: Int, kind: ClaimTaskKind, title: String, office: String?)
    /// The person responsible for a task was set or changed.
    case taskResponsibleChanged(task: Int, title: String, name: String?)
    /// The compensation decision. The customer's feed says that it was made, never which.
    case compensationDecided(CompensationDecision)
    case projectManagerChanged(name: String?)
    case projectManagerOfficeChanged(office: String?)
    /// The meeting time with the customer was set or moved.
    case appointmentChanged(at: Date?)
    /// A document of the library was shared with, or withdrawn from, the customer; its title.
    case documentShared(name: String)
    case documentUnshared(name: String)
    /// A line of a claim's budget was added, edited or removed: its description and amount (`Money.plain`)
    /// as they were after the change (before it, for a removal). Staff's business, like booked rows.
    case budgetLineAdded(description: String, amount: String)
    case budgetLineChanged(description: String, amount: String)
    case budgetLineRemoved(description: String, amount: String)

    /// A before → after pair of shown names.
    public struct Change: Codable, Sendable, Hashable {
        public var before: String?
        public var after: String?
        public init(before: String?, after: String?) {
            self.before = before
            self.after = after
        }
    }

    /// The stored name of each kind. Names already in databases before M019 keep their spelling.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case created
        case createdFromInquiry = "from_inquiry"
        case statusChanged = "status"
        case fieldChanged = "field"
        case handlerChanged = "handler"
        case supplierChanged = "supplier"
        case staffMessage = "message"
        case internalNote = "note"
        case customerMessage = "customer_message"
        case emailReply = "email_reply"
        case filesUploaded = "files_uploaded"
        case fileRemoved = "file_removed"
        case classificationChanged = "classification"
        case approved
        case rejected
        case autoApproved = "auto_approved"
        case approvalReminderSent = "approval_reminder"
        case contactLinked = "contact_linked"
        case contactUnlinked = "contact_unlinked"
        case articleRowBooked = "article_row_booked"
        case articleRowRemoved = "article_row_removed"
        case workOrderCreated = "work_order_created"
        case workOrderChanged = "work_order_changed"
        case workOrderStateChanged = "work_order_state"
        case specificationCreated = "specification_created"
        case specificationApproved = "specification_approved"
        case specificationRejected = "specification_rejected"
        case callLogged = "call_logged"
        case expertAssigned = "expert_assigned"
        case taskAdded = "task_added"
        case taskStarted = "task_started"
        case taskFinished = "task_finished"
        case taskScheduleChanged = "task_schedule"
        case taskOfficeChanged = "task_office"
        case taskResponsibleChanged = "task_responsible"
        case compensationDecided = "compensation_decided"
        case projectManagerChanged = "project_manager"
        case projectManagerOfficeChanged = "project_manager_office"
        case appointmentChanged = "appointment"
        case documentShared = "document_shared"
        case documentUnshared = "document_unshared"
        case budgetLineAdded = "budget_line_added"
        case budgetLineChanged = "budget_line_changed"
        case budgetLineRemoved = "budget_line_removed"
    }

    public var kind: Kind {
        switch self {
        case .created: return .created
        case .createdFromInquiry: return .createdFromInquiry
        case .statusChanged: return .statusChanged
        case .fieldChanged: return .fieldChanged
        case .handlerChanged: return .handlerChanged
        case .supplierChanged: return .supplierChanged
        case .staffMessage: return .staffMessage
        case .internalNote: return .internalNote
        case .customerMessage: return .customerMessage
        case .emailReply: return .emailReply
        case .filesUploaded: return .filesUploaded
        case .fileRemoved: return .fileRemoved
        case .classificationChanged: return .classificationChanged
        case .approved: return .approved
        case .rejected: return .rejected
        case .autoApproved: return .autoApproved
        case .approvalReminderSent: return .approvalReminderSent
        case .contactLinked: return .contactLinked
        case .contactUnlinked: return .contactUnlinked
        case .articleRowBooked: return .articleRowBooked
        case .articleRowRemoved: return .articleRowRemoved
        case .workOrderCreated: return .workOrderCreated
        case .workOrderChanged: return .workOrderChanged
        case .workOrderStateChanged: return .workOrderStateChanged
        case .specificationCreated: return .specificationCreated
        case .specificationApproved: return .specificationApproved
        case .specificationRejected: return .specificationRejected
        case .callLogged: return .callLogged
        case .expertAssigned: return .expertAssigned
        case .taskAdded: return .taskAdded
        case .taskStarted: return .taskStarted
        case .taskFinished: return .taskFinished
        case .taskScheduleChanged: return .taskScheduleChanged
        case .taskOfficeChanged: return .taskOfficeChanged
        case .taskResponsibleChanged: return .taskResponsibleChanged
        case .compensationDecided: return .compensationDecided
        case .projectManagerChanged: return .projectManagerChanged
        case .projectManagerOfficeChanged: return .projectManagerOfficeChanged
        case .appointmentChanged: return .appointmentChanged
        case .documentShared: return .documentShared
        case .documentUnshared: return .documentUnshared
        case .budgetLineAdded: return .budgetLineAdded
        case .budgetLineChanged: return .budgetLineChanged
        case .budgetLineRemoved: return .budgetLineRemoved
        }
    }

    /// Who sees this kind unless the operation says otherwise: everything the customer did or was
    /// told is theirs too; internal notes and staff assignments are not.
    public var defaultAudience: EventAudience {
        switch self {
        case .internalNote, .handlerChanged, .supplierChanged, .approvalReminderSent, .createdFromInquiry, .contactLinked,
             .contactUnlinked:
            return .staff
        // Money is staff's business until a specification puts it before the customer.
        case .articleRowBooked, .articleRowRemoved, .workOrderCreated, .workOrderChanged, .workOrderStateChanged,
             .budgetLineAdded, .budgetLineChanged, .budgetLineRemoved:
            return .staff
        case .fieldChanged(let field, _, _):
            return field == .subject || field == .description ? .customer : .staff
        default:
            return .customer
        }
    }
}

// MARK: Storage form

extension CaseEvent {
    /// The payload of each kind, as stored (JSON). Kinds without data store no payload.
    struct Payload: Codable {
        var field: CaseEventField?
        var from: CaseStatus?
        var to: CaseStatus?
        var before: String?
        var after: String?
        var names: [String]?
        var name: String?
        var category: Change?
        var priority: Change?
        var channel: CaseOrigin?
        var article: String?
        var quantity: String?
        var workOrder: Int?
        var title: String?
        var amount: String?
        var fromState: WorkOrderState?
        var toState: WorkOrderState?
        var number: Int?
        var caller: String?
        var callee: String?
        var answered: Bool?
        var seconds: Int?
        var task: Int?
        var taskKind: ClaimTaskKind?
        var starts: Date?
        var ends: Date?
        var decision: CompensationDecision?
        var at: Date?
    }

    public enum DecodingProblem: Error, Equatable {
        case unknownKind(String)
        case badPayload(String)
    }

    /// The JSON text to store with `kind`, or nil when the kind carries nothing.
    public func encodedPayload() -> String? {
        var payload = Payload()
        switch self {
        case .created(let channel):
            payload.channel = channel
        case .statusChanged(let from, let to):
            payload.from = from
            payload.to = to
        case .fieldChanged(let field, let before, let after):
            payload.field = field
            payload.before = before
            payload.after = after
        case .handlerChanged(let before, let after), .supplierChanged(let before, let after):
            payload.before = before
            payload.after = after
        case .filesUploaded(let names):
            payload.names = names
        case .fileRemoved(let name), .contactLinked(let name), .contactUnlinked(let name):
            payload.name = name
        case .classificationChanged(let category, let priority):
            payload.category = category
            payload.priority = priority
        case .articleRowBooked(let article, let quantity, let workOrder):
            payload.article = article
            payload.quantity = quantity
            payload.workOrder = workOrder
        case .articleRowRemoved(let article, let quantity):
            payload.article = article
            payload.quantity = quantity
        case .workOrderCreated(let workOrder, let title), .workOrderChanged(let workOrder, let title):
            payload.workOrder = workOrder
            payload.title = title
        case .workOrderStateChanged(let workOrder, let from, let to):
            payload.workOrder = workOrder
            payload.fromState = from
            payload.toState = to
        case .specificationCreated(let number), .specificationApproved(let number), .specificationRejected(let number):
            payload.number = number
        case .callLogged(let caller, let callee, let answered, let seconds):
            payload.caller = caller
            payload.callee = callee
            payload.answered = answered
            payload.seconds = seconds
        case .expertAssigned(let name), .documentShared(let name), .documentUnshared(let name):
            payload.name = name
        case .budgetLineAdded(let description, let amount), .budgetLineChanged(let description, let amount),
             .budgetLineRemoved(let description, let amount):
            payload.title = description
            payload.amount = amount
        case .taskAdded(let task, let kind, let title), .taskStarted(let task, let kind, let title),
             .taskFinished(let task, let kind, let title):
            payload.task = task
            payload.taskKind = kind
            payload.title = title
        case .taskScheduleChanged(let task, let title, let starts, let ends):
            payload.task = task
            payload.title = title
            payload.starts = starts
            payload.ends = ends
        case .taskOfficeChanged(let task, let kind, let title, let office):
            payload.task = task
            payload.taskKind = kind
            payload.title = title
            payload.name = office
        case .taskResponsibleChanged(let task, let title, let name):
            payload.task = task
            payload.title = title
            payload.name = name
        case .compensationDecided(let decision):
            payload.decision = decision
        case .projectManagerChanged(let name), .projectManagerOfficeChanged(let name):
            payload.name = name
        case .appointmentChanged(let at):
            payload.at = at
        case .createdFromInquiry, .staffMessage, .internalNote, .customerMessage, .emailReply, .approved, .rejected,
             .autoApproved, .approvalReminderSent:
            return nil
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(payload)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Rebuilds an event from its stored kind and payload; a kind this version does not know, or a
    /// payload missing what its kind needs, is an error rather than a silently wrong event.
    public init(kind raw: String, payload text: String?) throws {
        guard let kind = Kind(rawValue: raw) else { throw DecodingProblem.unknownKind(raw) }
        let payload: Payload
        if let text, !text.isEmpty {
            guard let decoded = try? JSONDecoder().decode(Payload.self, from: Data(text.utf8)) else {
                throw DecodingProblem.badPayload(raw)
            }
            payload = decoded
        } else {
            payload = Payload()
        }
        switch kind {
        case .created:
            guard let channel = payload.channel else { throw DecodingProblem.badPayload(raw) }
            self = .created(channel: channel)
        case .createdFromInquiry: self = .createdFromInquiry
        case .statusChanged:
            guard let from = payload.from, let to = payload.to else { throw DecodingProblem.badPayload(raw) }
            self = .statusChanged(from: from, to: to)
        case .fieldChanged:
            guard let field = payload.field else { throw DecodingProblem.badPayload(raw) }
            self = .fieldChanged(field, before: payload.before, after: payload.after)
        case .handlerChanged: self = .handlerChanged(before: payload.before, after: payload.after)
        case .supplierChanged: self = .supplierChanged(before: payload.before, after: payload.after)
        case .staffMessage: self = .staffMessage
        case .internalNote: self = .internalNote
        case .customerMessage: self = .customerMessage
        case .emailReply: self = .emailReply
        case .filesUploaded: self = .filesUploaded(names: payload.names ?? [])
        case .fileRemoved:
            guard let name = payload.name else { throw DecodingProblem.badPayload(raw) }
            self = .fileRemoved(name: name)
        case .classificationChanged: self = .classificationChanged(category: payload.category, priority: payload.priority)
        case .approved: self = .approved
        case .rejected: self = .rejected
        case .autoApproved: self = .autoApproved
        case .approvalReminderSent: self = .approvalReminderSent
        case .contactLinked, .contactUnlinked:
            guard let name = payload.name else { throw DecodingProblem.badPayload(raw) }
            self = kind == .contactLinked ? .contactLinked(name: name) : .contactUnlinked(name: name)
        case .articleRowBooked, .articleRowRemoved:
            guard let article = payload.article, let quantity = payload.quantity else { throw DecodingProblem.badPayload(raw) }
            self = kind == .articleRowBooked ? .articleRowBooked(article: article, quantity: quantity, workOrder: payload.workOrder)
                : .articleRowRemoved(article: article, quantity: quantity)
        case .workOrderCreated, .workOrderChanged:
            guard let workOrder = payload.workOrder, let title = payload.title else { throw DecodingProblem.badPayload(raw) }
            self = kind == .workOrderCreated ? .workOrderCreated(workOrder: workOrder, title: title)
                : .workOrderChanged(workOrder: workOrder, title: title)
        case .workOrderStateChanged:
            guard let workOrder = payload.workOrder, let from = payload.fromState, let to = payload.toState else {
                throw DecodingProblem.badPayload(raw)
            }
            self = .workOrderStateChanged(workOrder: workOrder, from: from, to: to)
        case .specificationCreated, .specificationApproved, .specificationRejected:
            guard let number = payload.number else { throw DecodingProblem.badPayload(raw) }
            switch kind {
            case .specificationCreated: self = .specificationCreated(number: number)
            case .specificationApproved: self = .specificationApproved(number: number)
            default: self = .specificationRejected(number: number)
            }
        case .callLogged:
            guard let caller = payload.caller, let callee = payload.callee, let answered = payload.answered,
                  let seconds = payload.seconds else { throw DecodingProblem.badPayload(raw) }
            self = .callLogged(caller: caller, callee: callee, answered: answered, seconds: seconds)
        case .expertAssigned, .documentShared, .documentUnshared:
            guard let name = payload.name else { throw DecodingProblem.badPayload(raw) }
            switch kind {
            case .expertAssigned: self = .expertAssigned(name: name)
            case .documentShared: self = .documentShared(name: name)
            default: self = .documentUnshared(name: name)
            }
        case .budgetLineAdded, .budgetLineChanged, .budgetLineRemoved:
            guard let description = payload.title, let amount = payload.amount else { throw DecodingProblem.badPayload(raw) }
            switch kind {
            case .budgetLineAdded: self = .budgetLineAdded(description: description, amount: amount)
            case .budgetLineChanged: self = .budgetLineChanged(description: description, amount: amount)
            default: self = .budgetLineRemoved(description: description, amount: amount)
            }
        case .taskAdded, .taskStarted, .taskFinished:
            guard let task = payload.task, let taskKind = payload.taskKind, let title = payload.title else {
                throw DecodingProblem.badPayload(raw)
            }
            switch kind {
            case .taskAdded: self = .taskAdded(task: task, kind: taskKind, title: title)
            case .taskStarted: self = .taskStarted(task: task, kind: taskKind, title: title)
            default: self = .taskFinished(task: task, kind: taskKind, title: title)
            }
        case .taskScheduleChanged:
            guard let task = payload.task, let title = payload.title else { throw DecodingProblem.badPayload(raw) }
            self = .taskScheduleChanged(task: task, title: title, starts: payload.starts, ends: payload.ends)
        case .taskOfficeChanged:
            guard let task = payload.task, let taskKind = payload.taskKind, let title = payload.title else {
                throw DecodingProblem.badPayload(raw)
            }
            self = .taskOfficeChanged(task: task, kind: taskKind, title: title, office: payload.name)
        case .taskResponsibleChanged:
            guard let task = payload.task, let title = payload.title else { throw DecodingProblem.badPayload(raw) }
            self = .taskResponsibleChanged(task: task, title: title, name: payload.name)
        case .compensationDecided:
            guard let decision = payload.decision else { throw DecodingProblem.badPayload(raw) }
            self = .compensationDecided(decision)
        case .projectManagerChanged: self = .projectManagerChanged(name: payload.name)
        case .projectManagerOfficeChanged: self = .projectManagerOfficeChanged(office: payload.name)
        case .appointmentChanged: self = .appointmentChanged(at: payload.at)
        }
    }
}
