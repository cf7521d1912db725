import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D3: staff create or edit a work order on a case — type, supplier, planned dates, title and
/// description. A done work order takes no more edits. Every change is a case event.
public enum SaveWorkOrder {
    public struct Input: Sendable {
        public var caseNumber: Int
        /// nil creates one.
        public var workOrderId: Int?
        /// The version the edited page showed (ignored when creating).
        public var version: Int?
        /// A `WorkOrderType` raw value.
        public var type: String
        public var supplier: ChosenId
        public var title: String
        public var description: String
        /// yyyy-mm-dd or empty.
        public var plannedStart: String
        public var plannedEnd: String

        public init(caseNumber: Int, workOrderId: Int? = nil, version: Int? = nil, type: String, supplier: ChosenId, title: String,
                    description: String = "", plannedStart: String = "", plannedEnd: String = "") {
            self.caseNumber = caseNumber
            self.workOrderId = workOrderId
            self.version = version
            self.type = type
            self.supplier = supplier
            self.title = title
            self.description = description
            self.plannedStart = plannedStart
            self.plannedEnd = plannedEnd
        }
    }

    public enum Field: String, Hashable, Sendable {
        case type = "work_order_type", supplier, title, description, plannedStart = "planned_start", plannedEnd = "planned_end"
    }

    public struct Saved: Sendable, Equatable {
        public var caseNumber: Int
        public var workOrderId: Int
        public var created: Bool
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Saved, Field> {
        let db = context.database
        let record = try await StaffCaseLookup.find(number: input.caseNumber, in: context)
        let caseId = try record.requireID()
        var target: WorkOrderRecord?
        if let id = input.workOrderId {
            guard let found = try await CaseMoney(database: db).workOrder(id: id, caseId: caseId) else { throw OperationError.notFound }
            guard found.currentState.isOpen else { throw OperationError.notAllowedNow }
            guard input.version == found.version else { throw OperationError.stale }
            target = found
        }
        var problems = Problems<Field>()
        let type = WorkOrderType(rawValue: input.type)
        if type == nil { problems.add(.type, ProblemKey.chooseFromList) }
        var supplierId: Int?
        switch input.supplier {
        case .none: break
        case .invalid: problems.add(.supplier, ProblemKey.chooseFromList)
        case .id(let id):
            let supplier = try await SupplierRecord.find(id, on: db)
            // A deactivated supplier already on the order may stay; a new choice must be active.
            if supplier == nil || (supplier?.isActive != true && target?.supplierId != id) {
                problems.add(.supplier, ProblemKey.chooseFromList)
            } else { supplierId = id }
        }
        let title = input.title.trimmed, description = input.description.trimmed
        MoneyText.check(title, limit: InputLimits.subject, field: .title, into: &problems)
        if description.count > InputLimits.description { problems.add(.description, ProblemKey.tooLong) }
        let start = input.plannedStart.trimmed, end = input.plannedEnd.trimmed
        if !start.isEmpty, MoneyText.day(start) == nil { problems.add(.plannedStart, "form_invalid_date") }
        if !end.isEmpty, MoneyText.day(end) == nil { problems.add(.plannedEnd, "form_invalid_date") }
        if problems[.plannedStart] == nil, problems[.plannedEnd] == nil, !start.isEmpty, !end.isEmpty, end < start {
            problems.add(.plannedEnd, "work_order_error_end_before_start")
        }
        guard problems.isEmpty, let type else { return .problems(problems) }

        let order = target ?? WorkOrderRecord()
        let now = Int(context.now.timeIntervalSince1970)
        let isNew = target == nil
        order.caseId = caseId
        order.workOrderType = type.rawValue
        order.supplierId = supplierId
        order.title = title
        order.description = description
        order.plannedStart = start.isEmpty ? nil : start
        order.plannedEnd = end.isEmpty ? nil : end
        order.updatedUnix = now
        if isNew {
            order.state = WorkOrderState.draft.rawValue
            order.createdUnix = now
            order.createdByStaffId = actor.staffId
            order.version = 1
        }
        try await db.transaction { tx in
            if isNew {
                try await order.save(on: tx)
                try await CaseEvents.append(.workOrderCreated(workOrder: try order.requireID(), title: title), caseId: caseId,
                                            by: actor.eventActor, at: context.now, on: tx)
            } else {
                // Conditional on the version the page showed: two edits at once, the second is refused.
                guard try await MoneyWrites.updateWorkOrder(order, now: now, on: tx) else { throw OperationError.stale }
                try await CaseEvents.append(.workOrderChanged(workOrder: try order.requireID(), title: title), caseId: caseId,
                                            by: actor.eventActor, at: context.now, on: tx)
            }
        }
        return .done(Saved(caseNumber: record.number, workOrderId: try order.requireID(), created: isNew))
    }
}

/// D3: a work order moves one step: draft → sent → accepted → done. Any other move is refused
/// (`work_order_error_transition` on the form), nothing written.
public enum ChangeWorkOrderState {
    public enum Field: String, Hashable, Sendable { case state }

    public static func run(caseNumber: Int, workOrderId: Int, to next: WorkOrderState, version: Int, by actor: StaffActor,
                           in context: OperationContext) async throws -> Outcome<Int, Field> {
        let db = context.database
        let record = try await StaffCaseLookup.find(number: caseNumber, in: context)
        let caseId = try record.requireID()
        guard let order = try await CaseMoney(database: db).workOrder(id: workOrderId, caseId: caseId) else {
            throw OperationError.notFound
        }
        let current = order.currentState
        guard current.canMove(to: next) else {
            var problems = Problems<Field>()
            problems.add(.state, "work_order_error_transition")
            return .problems(problems)
        }
        guard order.version == version else { throw OperationError.stale }
        let now = Int(context.now.timeIntervalSince1970)
        try await db.transaction { tx in
            guard try await MoneyWrites.moveWorkOrder(id: workOrderId, from: current, to: next, version: version, now: now, on: tx)
            else { throw OperationError.stale }
            try await CaseEvents.append(.workOrderStateChanged(workOrder: workOrderId, from: current, to: next), caseId: caseId,
                                        by: actor.eventActor, at: context.now, on: tx)
        }
        return .done(record.number)
    }
}
