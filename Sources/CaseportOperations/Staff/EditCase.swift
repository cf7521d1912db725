import CaseportCore
import CaseportStore
import FluentKit

/// D3: staff edit a case's subject, description and classification, assign handler and supplier, and
/// move it to another customer or object. The edit applies only to the version the page showed (a
/// newer save by someone else is `OperationError.stale`); each changed field is one event.
public enum EditCase {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var expectedVersion: Int
        public var subject: String
        public var description: String
        public var category: ChosenId
        public var type: ChosenId
        public var priority: ChosenId
        public var handler: ChosenId
        public var supplier: ChosenId
        public var customer: ChosenId
        public var object: ChosenId

        public init(caseNumber: Int, expectedVersion: Int, subject: String, description: String, category: ChosenId,
                    type: ChosenId, priority: ChosenId, handler: ChosenId, supplier: ChosenId, customer: ChosenId,
                    object: ChosenId) {
            self.caseNumber = caseNumber
            self.expectedVersion = expectedVersion
            self.subject = subject
            self.description = description
            self.category = category
            self.type = type
            self.priority = priority
            self.handler = handler
            self.supplier = supplier
            self.customer = customer
            self.object = object
        }
    }

    public typealias Field = StaffCaseChoices.Field

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws
        -> Outcome<Int, Field> {
        let record = try await StaffCaseLookup.find(number: input.caseNumber, in: context)
        var catalogue = try await StaffCatalogue.load(on: context.database)
        try await catalogue.include(customer: record.customerId, on: context.database)
        let choices = StaffCaseChoices(subject: input.subject, description: input.description, category: input.category,
                                       type: input.type, priority: input.priority, handler: input.handler, supplier: input.supplier,
                                       customer: input.customer, object: input.object)
        let (checked, problems) = try await choices.check(against: catalogue, on: context.database)
        let (subject, description) = (checked.subject, checked.description)
        let (category, type, priority) = (checked.category, checked.type, checked.priority)
        let (handler, supplier, customer, object) = (checked.handler, checked.supplier, checked.customer, checked.object)
        guard problems.isEmpty else { return .problems(problems) }

        try await catalogue.include(customer: customer, on: context.database)
        let names = catalogue.names
        func name(_ table: [Int: String], _ id: Int?) -> String? { id.flatMap { table[$0] } }
        // Issue 12: the timeline names the object, not its id.
        let objectIds = [record.objectId, object].compactMap { $0 }
        let objectNames = objectIds.isEmpty ? [:] : Dictionary(
            try await ObjectRecord.query(on: context.database).filter(\.$id ~~ objectIds).all().map { ($0.id!, $0.name) },
            uniquingKeysWith: { first, _ in first })
        let changes: [StaffCases.Change] = [
            .init(field: .plain(.subject), before: record.subject, after: subject) { $0.subject = subject },
            .init(field: .plain(.description), before: record.description, after: description) { $0.description = description },
            .init(field: .plain(.category), before: name(names.categories, record.categoryId), after: name(names.categories, category)) { $0.categoryId = category },
            .init(field: .plain(.type), before: name(names.types, record.caseTypeId), after: name(names.types, type)) { $0.caseTypeId = type },
            .init(field: .plain(.priority), before: name(names.priorities, record.priorityId), after: name(names.priorities, priority)) { $0.priorityId = priority },
            .init(field: .handler, before: name(names.staff, record.handlerId), after: name(names.staff, handler)) { $0.handlerId = handler },
            .init(field: .supplier, before: name(names.suppliers, record.supplierId), after: name(names.suppliers, supplier)) { $0.supplierId = supplier },
            .init(field: .plain(.customer), before: name(names.customers, record.customerId), after: name(names.customers, customer)) { $0.customerId = customer },
            .init(field: .plain(.object), before: name(objectNames, record.objectId), after: name(objectNames, object)) { $0.objectId = object },
        ]
        do {
            try await StaffCases(database: context.database).edit(caseId: try record.requireID(), expectedVersion: input.expectedVersion,
                                                                  changes: changes, by: actor.caseActor, at: context.now)
        } catch StaffCases.ChangeError.stale {
            throw OperationError.stale
        }
        return .done(record.number)
    }
}

/// D3: staff move a case along the workflow; only the transitions `CaseStatus` allows, only from the
/// version the page showed.
public enum ChangeCaseStatus {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var expectedVersion: Int
        public var next: CaseStatus
        public init(caseNumber: Int, expectedVersion: Int, next: CaseStatus) {
            self.caseNumber = caseNumber
            self.expectedVersion = expectedVersion
            self.next = next
        }
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        let record = try await StaffCaseLookup.find(number: input.caseNumber, in: context)
        // Issue 11: "waiting for customer", "resolved" and "closed" are mailed to the customer.
        let mails = record.status == input.next ? [] : try await Notifications.customerCaseNews(
            context.notifications, record: record, news: .statusChanged(to: input.next), on: context.database)
        do {
            try await StaffCases(database: context.database).changeStatus(
                caseId: try record.requireID(), to: input.next, expectedVersion: input.expectedVersion, by: actor.caseActor,
                notifications: mails, at: context.now)
        } catch StaffCases.ChangeError.stale {
            throw OperationError.stale
        } catch StaffCases.ChangeError.transitionNotAllowed {
            throw OperationError.notAllowedNow
        }
        return record.number
    }
}

/// D3/B4: staff write to the customer (who gets a text when they asked for one) or an internal note.
public enum WriteStaffMessage {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var body: String
        public var isInternal: Bool
        /// Files that came with a reply to the customer, already in storage (issue 12). An internal
        /// note carries none: what a note holds must never reach the customer.
        public var files: [AttachUploadedFiles.StoredUpload]
        public init(caseNumber: Int, body: String, isInternal: Bool, files: [AttachUploadedFiles.StoredUpload] = []) {
            self.files = files
            self.caseNumber = caseNumber
            self.body = body
            self.isInternal = isInternal
        }
    }

    public enum Field: Hashable, Sendable { case body }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws
        -> Outcome<Int, Field> {
        // An internal note needs only the case's id (issue 17 point 5); a public message reads the case
        // for its notices.
        let cases = StaffCases(database: context.database)
        let record = input.isInternal ? nil : try await StaffCaseLookup.find(number: input.caseNumber, in: context)
        let found: Int?
        if let record { found = try record.requireID() } else { found = try await cases.id(number: input.caseNumber) }
        guard let caseId = found else { throw OperationError.notFound }
        let body = input.body.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems = Problems<Field>()
        if body.isEmpty { problems.add(.body, "message_error_empty") }
        if body.count > InputLimits.message { problems.add(.body, ProblemKey.tooLong) }
        guard problems.isEmpty else { return .problems(problems) }
        guard !(input.isInternal && !input.files.isEmpty) else { throw OperationError.notAllowedNow }
        // A public message: a text when the creator asked for one (B4), and the customer's e-mails (issue 11).
        var notifications: [OutboxRecord] = []
        if let record {
            notifications = try await Notifications.companyWrote(context.notifications, record: record, on: context.database)
                + Notifications.customerCaseNews(context.notifications, record: record, news: .staffMessage(body: body),
                                                 on: context.database)
        }
        try await cases.addMessage(caseId: caseId, body: body, isInternal: input.isInternal, by: actor.caseActor,
                                   notifications: notifications,
                                   files: input.files.map { $0.staffRecord(by: actor, at: context.now) },
                                   at: context.now)
        return .done(input.caseNumber)
    }
}

/// D4: "Mark as read" clears a case's unread customer activity and remembers when (no version bump, no event).
public enum MarkCaseRead {
    public static func run(caseNumber: Int, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        let record = try await StaffCaseLookup.find(number: caseNumber, in: context)
        if record.hasUnreadActivity {
            try await StaffCases(database: context.database).markRead(caseId: try record.requireID(), at: context.now)
        }
        return record.number
    }
}

/// D4: "Mark all as read" from the case list clears the unread activity of the handler's own cases —
/// a colleague's cases stay marked for them. Returns how many cases it marked.
public enum MarkAllCasesRead {
    public static func run(by actor: StaffActor, in context: OperationContext) async throws -> Int {
        try await StaffCases(database: context.database).markAllRead(handlerId: actor.staffId, at: context.now)
    }
}
