import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// What a task form says (D3): kind, title, office (a supplier), responsible person and phone, start
/// and end, description, and whether the task waits for the supplier's answer.
public struct ClaimTaskValues: Sendable {
    public var kind: String
    public var title: String
    public var office: ChosenId
    public var responsibleName: String
    public var responsiblePhone: String
    public var starts: TypedTime
    public var ends: TypedTime
    public var description: String
    public var awaitingSupplier: Bool

    public init(kind: String, title: String, office: ChosenId = .none, responsibleName: String = "", responsiblePhone: String = "",
                starts: TypedTime = .none, ends: TypedTime = .none, description: String = "", awaitingSupplier: Bool = false) {
        self.kind = kind
        self.title = title
        self.office = office
        self.responsibleName = responsibleName
        self.responsiblePhone = responsiblePhone
        self.starts = starts
        self.ends = ends
        self.description = description
        self.awaitingSupplier = awaitingSupplier
    }

    public enum Field: String, Hashable, Sendable {
        case kind = "task_kind", title = "task_title", office = "task_office", responsibleName = "task_responsible"
        case responsiblePhone = "task_phone", starts = "task_starts", ends = "task_ends", description = "task_description"
    }

    /// The checked values, or the problems.
    struct Checked: Sendable {
        var kind: ClaimTaskKind
        var title: String
        var office: SupplierRecord?
        var responsibleName: String?
        var responsiblePhone: String?
        var starts: Date?
        var ends: Date?
        var description: String
        var awaitingSupplier: Bool
    }

    func check(on database: any Database) async throws -> (Checked?, Problems<Field>) {
        var problems = Problems<Field>()
        let kind = ClaimTaskKind(rawValue: kind)
        if kind == nil { problems.add(.kind, ProblemKey.chooseFromList) }
        let title = ClaimSupport.optional(title)
        if title == nil { problems.add(.title, ProblemKey.required) }
        ClaimSupport.checkText(title, limit: InputLimits.subject, field: .title, into: &problems)
        let office = try await ClaimSupport.office(office, field: .office, into: &problems, on: database)
        let name = ClaimSupport.optional(responsibleName), phone = ClaimSupport.optional(responsiblePhone)
        ClaimSupport.checkText(name, limit: InputLimits.name, field: .responsibleName, into: &problems)
        ClaimSupport.checkPhone(phone, field: .responsiblePhone, into: &problems)
        if phone != nil && name == nil { problems.add(.responsibleName, "claims_error_name_for_phone") }
        ClaimSupport.checkTime(starts, field: .starts, into: &problems)
        ClaimSupport.checkTime(ends, field: .ends, into: &problems)
        if let start = starts.date, let end = ends.date, end < start { problems.add(.ends, "claims_error_end_before_start") }
        let description = description.trimmingCharacters(in: .whitespacesAndNewlines)
        ClaimSupport.checkText(description, limit: InputLimits.message, field: .description, into: &problems)
        guard problems.isEmpty, let kind, let title else { return (nil, problems) }
        return (Checked(kind: kind, title: title, office: office, responsibleName: name, responsiblePhone: phone,
                        starts: starts.date, ends: ends.date, description: description, awaitingSupplier: awaitingSupplier), problems)
    }
}

/// D3: staff add a task to a claim. The task is added (`taskAdded`), and what it already has is
/// announced as the feed knows it: its schedule, its office, its responsible person. An inspection or
/// main inspection that gets an office or a responsible person is the first inspection.
public enum AddClaimTask {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var expectedVersion: Int
        public var values: ClaimTaskValues
        public init(caseNumber: Int, expectedVersion: Int, values: ClaimTaskValues) {
            self.caseNumber = caseNumber
            self.expectedVersion = expectedVersion
            self.values = values
        }
    }

    public typealias Field = ClaimTaskValues.Field

    /// The new task's id.
    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let (record, _) = try await ClaimSupport.claim(number: input.caseNumber, in: context)
        let caseId = try record.requireID()
        let (checked, problems) = try await input.values.check(on: context.database)
        guard let checked else { return .problems(problems) }
        let now = context.now, by = actor.eventActor
        let id = try await ClaimSupport.onVersion(caseId: caseId, expectedVersion: input.expectedVersion, in: context) { tx in
            let task = ClaimTaskRecord()
            task.caseId = caseId
            task.state = ClaimTaskState.planned.rawValue
            task.createdAt = now
            task.description = ""
            task.awaitingSupplier = false
            let events = ClaimTaskChanges.apply(checked, to: task, isNew: true)
            task.updatedAt = now
            try await task.create(on: tx)
            let id = try task.requireID()
            try await ClaimTaskChanges.firstInspection(task, caseId: caseId, at: now, on: tx)
            try await CaseEvents.append(.taskAdded(task: id, kind: checked.kind, title: checked.title), caseId: caseId, by: by, at: now, on: tx)
            for event in events(id) { try await CaseEvents.append(event, caseId: caseId, by: by, at: now, on: tx) }
            return id
        }
        return .done(id)
    }
}

/// D3: staff change a task. Each change the feed knows is an event: schedule, office, responsible.
public enum EditClaimTask {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var taskId: Int
        public var expectedVersion: Int
        public var values: ClaimTaskValues
        public init(caseNumber: Int, taskId: Int, expectedVersion: Int, values: ClaimTaskValues) {
            self.caseNumber = caseNumber
            self.taskId = taskId
            self.expectedVersion = expectedVersion
            self.values = values
        }
    }

    public typealias Field = ClaimTaskValues.Field

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let (record, _) = try await ClaimSupport.claim(number: input.caseNumber, in: context)
        let caseId = try record.requireID()
        guard try await ClaimBackOffice(database: context.database).task(id: input.taskId, caseId: caseId) != nil else {
            throw OperationError.notFound
        }
        let (checked, problems) = try await input.values.check(on: context.database)
        guard let checked else { return .problems(problems) }
        let now = context.now, by = actor.eventActor, taskId = input.taskId
        try await ClaimSupport.onVersion(caseId: caseId, expectedVersion: input.expectedVersion, in: context) { tx in
            guard let task = try await ClaimBackOffice(database: tx).task(id: taskId, caseId: caseId) else { throw OperationError.notFound }
            let events = ClaimTaskChanges.apply(checked, to: task, isNew: false)
            task.updatedAt = now
            try await task.update(on: tx)
            try await ClaimTaskChanges.firstInspection(task, caseId: caseId, at: now, on: tx)
            for event in events(taskId) { try await CaseEvents.append(event, caseId: caseId, by: by, at: now, on: tx) }
        }
        return .done(record.number)
    }
}

/// D3: a task's start and end moved ("reschedule"), nothing else.
public enum RescheduleClaimTask {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var taskId: Int
        public var expectedVersion: Int
        public var starts: TypedTime
        public var ends: TypedTime
        public init(caseNumber: Int, taskId: Int, expectedVersion: Int, starts: TypedTime, ends: TypedTime) {
            self.caseNumber = caseNumber
            self.taskId = taskId
            self.expectedVersion = expectedVersion
            self.starts = starts
            self.ends = ends
        }
    }

    public typealias Field = ClaimTaskValues.Field

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let (record, _) = try await ClaimSupport.claim(number: input.caseNumber, in: context)
        let caseId = try record.requireID()
        guard let existing = try await ClaimBackOffice(database: context.database).task(id: input.taskId, caseId: caseId) else {
            throw OperationError.notFound
        }
        var values = ClaimTaskValues(task: existing)
        values.starts = input.starts
        values.ends = input.ends
        return try await EditClaimTask.run(.init(caseNumber: input.caseNumber, taskId: input.taskId, expectedVersion: input.expectedVersion,
                                                 values: values), by: actor, in: context)
    }
}

/// D3: staff start or finish a task (a finished task may be started again).
public enum ChangeClaimTaskState {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var taskId: Int
        public var expectedVersion: Int
        public var next: ClaimTaskState
        public init(caseNumber: Int, taskId: Int, expectedVersion: Int, next: ClaimTaskState) {
            self.caseNumber = caseNumber
            self.taskId = taskId
            self.expectedVersion = expectedVersion
            self.next = next
        }
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        let (record, _) = try await ClaimSupport.claim(number: input.caseNumber, in: context)
        let caseId = try record.requireID()
        guard let existing = try await ClaimBackOffice(database: context.database).task(id: input.taskId, caseId: caseId) else {
            throw OperationError.notFound
        }
        guard input.next != .planned else { throw OperationError.notAllowedNow }
        if existing.state == input.next.rawValue { throw OperationError.alreadyDone }
        let now = context.now, by = actor.eventActor, taskId = input.taskId, next = input.next
        try await ClaimSupport.onVersion(caseId: caseId, expectedVersion: input.expectedVersion, in: context) { tx in
            guard let task = try await ClaimBackOffice(database: tx).task(id: taskId, caseId: caseId) else { throw OperationError.notFound }
            task.state = next.rawValue
            task.updatedAt = now
            try await task.update(on: tx)
            let kind = ClaimTaskKind(rawValue: task.kind) ?? .other
            let event: CaseEvent = next == .started ? .taskStarted(task: taskId, kind: kind, title: task.title)
                : .taskFinished(task: taskId, kind: kind, title: task.title)
            try await CaseEvents.append(event, caseId: caseId, by: by, at: now, on: tx)
        }
        return record.number
    }
}

extension ClaimTaskValues {
    /// The form's values of a stored task (times are carried as dates, not retyped).
    public init(task: ClaimTaskRecord) {
        self.init(kind: task.kind, title: task.title, office: ChosenId(task.supplierId), responsibleName: task.responsibleName ?? "",
                  responsiblePhone: task.responsiblePhone ?? "", starts: task.startsAt.map(TypedTime.at) ?? .none,
                  ends: task.endsAt.map(TypedTime.at) ?? .none, description: task.description,
                  awaitingSupplier: task.awaitingSupplier)
    }
}

enum ClaimTaskChanges {
    /// Applies the checked values and returns the events of what changed (given the task's id).
    static func apply(_ checked: ClaimTaskValues.Checked, to task: ClaimTaskRecord, isNew: Bool) -> @Sendable (Int) -> [CaseEvent] {
        let scheduleChanged = task.startsAt != checked.starts || task.endsAt != checked.ends
        let officeChanged = task.supplierId != checked.office?.id
        let responsibleChanged = task.responsibleName != checked.responsibleName
        task.kind = checked.kind.rawValue
        task.title = checked.title
        task.supplierId = checked.office?.id
        task.responsibleName = checked.responsibleName
        task.responsiblePhone = checked.responsiblePhone
        task.startsAt = checked.starts
        task.endsAt = checked.ends
        task.description = checked.description
        task.awaitingSupplier = checked.awaitingSupplier
        let (kind, title, starts, ends) = (checked.kind, checked.title, checked.starts, checked.ends)
        let office = checked.office?.name, responsible = checked.responsibleName
        // A new task announces only what it has; an edit announces every change, also a removal.
        let schedule = isNew ? (starts != nil || ends != nil) : scheduleChanged
        let officeEvent = isNew ? office != nil : officeChanged
        let responsibleEvent = isNew ? responsible != nil : responsibleChanged
        return { id in
            var events: [CaseEvent] = []
            if schedule { events.append(.taskScheduleChanged(task: id, title: title, starts: starts, ends: ends)) }
            if officeEvent { events.append(.taskOfficeChanged(task: id, kind: kind, title: title, office: office)) }
            if responsibleEvent { events.append(.taskResponsibleChanged(task: id, title: title, name: responsible)) }
            return events
        }
    }

    /// An inspection or main inspection with an office or a responsible person: the first inspection
    /// is assigned (kept from the first time).
    static func firstInspection(_ task: ClaimTaskRecord, caseId: Int, at now: Date, on tx: any Database) async throws {
        guard task.kind == ClaimTaskKind.inspection.rawValue || task.kind == ClaimTaskKind.mainInspection.rawValue,
              task.supplierId != nil || task.responsibleName != nil,
              let details = try await ClaimDetailsRecord.find(caseId, on: tx), details.firstInspectionAt == nil else { return }
        details.firstInspectionAt = now
        try await details.update(on: tx)
    }
}
