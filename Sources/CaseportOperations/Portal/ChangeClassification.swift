import CaseportCore
import CaseportStore
import FluentKit

/// B5: the customer changes a case's category or priority, when the deployment allows it (D5) and the
/// case is not closed. Like a staff edit (`EditCase`) it applies only to the version the page showed
/// (a newer save by anyone is `OperationError.stale`) and bumps the version, so a staff page opened
/// before it is stale too. A deactivated category or priority is refused unless it is the case's own
/// (which stays, and stays selectable). A value the case has cannot be blanked by the customer: the
/// company needs it (issue 11 point 9); it can only be changed to another one.
public enum ChangeClassification {
    public struct Input: Sendable {
        public var caseNumber: Int
        /// The case's version when the page was shown.
        public var expectedVersion: Int
        /// nil: the form did not send the field (leave it). `.some(nil)`: "none" was chosen.
        public var categoryId: Int??
        public var priorityId: Int??
        public init(caseNumber: Int, expectedVersion: Int, categoryId: Int??, priorityId: Int??) {
            self.caseNumber = caseNumber
            self.expectedVersion = expectedVersion
            self.categoryId = categoryId
            self.priorityId = priorityId
        }
    }

    public enum Field: String, Hashable, Sendable {
        case category, priority
    }

    public enum Failure: Error, Equatable {
        /// A category or priority that is not offered.
        case notOffered
    }

    public static func run(_ input: Input, by actor: PortalActor, in context: OperationContext) async throws
        -> Outcome<Int, Field> {
        let detail = try await PortalCases.find(number: input.caseNumber, for: actor, in: context)
        let settings = try await SettingsStore(database: context.database).load()
        guard !detail.status.isClosed, settings.customerMayEditCategory || settings.customerMayEditPriority else {
            throw OperationError.forbidden
        }
        var problems = Problems<Field>()
        var category = CaseEvent.Change(before: detail.categoryName, after: detail.categoryName)
        var priority = CaseEvent.Change(before: detail.priorityName, after: detail.priorityName)
        var categoryId = detail.categoryId, priorityId = detail.priorityId
        if settings.customerMayEditCategory, let chosen = input.categoryId {
            if let id = chosen, id != detail.categoryId {
                guard let found = try await CategoryRecord.find(id, on: context.database), found.isActive else { throw Failure.notOffered }
                category.after = found.name
                categoryId = id
            } else if chosen == nil, detail.categoryId != nil {
                problems.add(.category, ProblemKey.required)
            }
        }
        if settings.customerMayEditPriority, let chosen = input.priorityId {
            if let id = chosen, id != detail.priorityId {
                guard let found = try await PriorityRecord.find(id, on: context.database), found.isActive else { throw Failure.notOffered }
                priority.after = found.name
                priorityId = id
            } else if chosen == nil, detail.priorityId != nil {
                problems.add(.priority, ProblemKey.required)
            }
        }
        guard problems.isEmpty else { return .problems(problems) }
        let now = context.now
        let (newCategoryId, newPriorityId) = (categoryId, priorityId)
        let category_ = category.before != category.after ? category : nil
        let priority_ = priority.before != priority.after ? priority : nil
        try await context.database.transaction { tx in
            guard let record = try await CaseRecord.find(detail.id, on: tx) else { throw OperationError.notFound }
            guard record.version == input.expectedVersion else { throw OperationError.stale }
            guard category_ != nil || priority_ != nil else { return }
            record.categoryId = newCategoryId
            record.priorityId = newPriorityId
            record.version += 1
            record.updatedAt = now
            try await record.update(on: tx)
            try await CaseSearchIndex.refresh(caseId: detail.id, on: tx)
            try await CaseEvents.append(
                .classificationChanged(category: category_, priority: priority_),
                caseId: detail.id, by: EventActor(portalUserId: actor.userId, name: actor.name), at: now, on: tx)
        }
        return .done(detail.number)
    }
}
