import CaseportCore
import CaseportStore

/// B5: the customer changes a case's category or priority, when the deployment allows it (D5) and the
/// case is not closed. A deactivated category or priority is refused unless it is the case's own.
public enum ChangeClassification {
    public struct Input: Sendable {
        public var caseNumber: Int
        /// nil: the form did not send the field (leave it). `.some(nil)`: "none" was chosen.
        public var categoryId: Int??
        public var priorityId: Int??
        public init(caseNumber: Int, categoryId: Int??, priorityId: Int??) {
            self.caseNumber = caseNumber
            self.categoryId = categoryId
            self.priorityId = priorityId
        }
    }

    public enum Failure: Error, Equatable {
        /// A category or priority that is not offered.
        case notOffered
    }

    public static func run(_ input: Input, by actor: PortalActor, in context: OperationContext) async throws -> Int {
        let detail = try await PortalCases.find(number: input.caseNumber, for: actor, in: context)
        let settings = try await SettingsStore(database: context.database).load()
        guard !detail.status.isClosed, settings.customerMayEditCategory || settings.customerMayEditPriority else {
            throw OperationError.forbidden
        }
        var category = CaseEvent.Change(before: detail.categoryName, after: detail.categoryName)
        var priority = CaseEvent.Change(before: detail.priorityName, after: detail.priorityName)
        var categoryId = detail.categoryId, priorityId = detail.priorityId
        if settings.customerMayEditCategory, let chosen = input.categoryId {
            categoryId = chosen
            if let id = chosen, id != detail.categoryId {
                guard let found = try await CategoryRecord.find(id, on: context.database), found.isActive else { throw Failure.notOffered }
                category.after = found.name
            } else if chosen == nil {
                category.after = nil
            }
        }
        if settings.customerMayEditPriority, let chosen = input.priorityId {
            priorityId = chosen
            if let id = chosen, id != detail.priorityId {
                guard let found = try await PriorityRecord.find(id, on: context.database), found.isActive else { throw Failure.notOffered }
                priority.after = found.name
            } else if chosen == nil {
                priority.after = nil
            }
        }
        let now = context.now
        let (newCategoryId, newPriorityId) = (categoryId, priorityId)
        let (categoryChange, priorityChange) = (category, priority)
        try await context.database.transaction { tx in
            try await CaseConversation(database: tx).updateClassification(caseId: detail.id, categoryId: newCategoryId,
                                                                         priorityId: newPriorityId, at: now)
            let category = categoryChange.before != categoryChange.after ? categoryChange : nil
            let priority = priorityChange.before != priorityChange.after ? priorityChange : nil
            guard category != nil || priority != nil else { return }
            try await CaseEvents.append(
                .classificationChanged(category: category, priority: priority),
                caseId: detail.id, by: EventActor(portalUserId: actor.userId, name: actor.name), at: now, on: tx)
        }
        return detail.number
    }
}
