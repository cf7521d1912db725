import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D3 / issue 11 point 3: staff register a case in the back office — for a customer, an object and a
/// contact person — with origin "by the company" (`CaseOrigin.backOffice`), so the portal marks it as
/// the company's. The case form is checked like the case page's (`StaffCaseChoices`); the contact must
/// be an active one. One transaction creates the case (number, contact link, search entry), assigns the
/// supplier through the case's edit path (its own event), queues the customer's notices and appends the
/// `created(channel: .backOffice)` event.
public enum CreateStaffCase {
    public struct Input: Sendable {
        public var subject: String
        public var description: String
        public var category: ChosenId
        public var type: ChosenId
        public var priority: ChosenId
        public var handler: ChosenId
        public var supplier: ChosenId
        public var customer: ChosenId
        public var object: ChosenId
        public var contact: ChosenId
        public var workSiteAddress: String
        public var referenceName: String

        public init(subject: String, description: String, category: ChosenId = .none, type: ChosenId = .none,
                    priority: ChosenId = .none, handler: ChosenId = .none, supplier: ChosenId = .none, customer: ChosenId = .none,
                    object: ChosenId = .none, contact: ChosenId = .none, workSiteAddress: String = "", referenceName: String = "") {
            self.subject = subject
            self.description = description
            self.category = category
            self.type = type
            self.priority = priority
            self.handler = handler
            self.supplier = supplier
            self.customer = customer
            self.object = object
            self.contact = contact
            self.workSiteAddress = workSiteAddress
            self.referenceName = referenceName
        }
    }

    public enum Field: String, Hashable, Sendable {
        case subject, description, category, type, priority, handler, supplier, customer, object, contact
        case workSiteAddress = "work_site_address", referenceName = "reference_name"
    }

    /// Returns the new case's number.
    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let db = context.database
        let catalogue = try await StaffCatalogue.load(on: db)
        let choices = StaffCaseChoices(subject: input.subject, description: input.description, category: input.category,
                                       type: input.type, priority: input.priority, handler: input.handler, supplier: input.supplier,
                                       customer: input.customer, object: input.object)
        let (checked, choiceProblems) = try await choices.check(against: catalogue, on: db)
        var problems = Problems<Field>()
        problems.add(choiceProblems) { Field(rawValue: $0.rawValue)! }
        func short(_ field: Field, _ text: String, _ limit: Int) -> String? {
            let text = text.trimmed
            if text.count > limit { problems.add(field, ProblemKey.tooLong) }
            return text.isEmpty ? nil : text
        }
        let address = short(.workSiteAddress, input.workSiteAddress, 300)
        let reference = short(.referenceName, input.referenceName, 200)
        var contactId: Int?
        switch input.contact {
        case .none: break
        case .invalid: problems.add(.contact, ProblemKey.chooseFromList)
        case .id(let id):
            if try await ContactRecord.find(id, on: db)?.isActive == true { contactId = id } else { problems.add(.contact, ProblemKey.chooseFromList) }
        }
        guard problems.isEmpty else { return .problems(problems) }

        var new = NewCase(subject: checked.subject, description: checked.description, createdByName: actor.name, origin: .backOffice)
        new.categoryId = checked.category
        new.caseTypeId = checked.type
        new.priorityId = checked.priority
        new.handlerId = checked.handler
        new.customerId = checked.customer
        new.objectId = checked.object
        new.primaryContactId = contactId
        new.workSiteAddress = address
        new.referenceName = reference
        new.createdByStaffId = actor.staffId
        new.createdAt = context.now
        let supplier = catalogue.suppliers.first { $0.id == checked.supplier }
        let created = new
        let number = try await db.transaction { tx -> Int in
            let record = try await CaseCreation.create(created, on: tx)
            let caseId = try record.requireID()
            // Written before the first event: from the event on, the event counter is held to the commit.
            let notices = try await customerNotices(for: record, in: context, on: tx)
            for notice in notices { notice.caseId = caseId }
            try await OutboxRecord.insert(notices, on: tx)
            // D3: the case's first event, seen by the customer too. Anything that reacts to a case the
            // company registered (a notice, a webhook) keys on this event: `created(channel: .backOffice)`; it comes
            // first, so the supplier's assignment below follows it on the timeline.
            try await CaseEvents.append(.created(channel: .backOffice), caseId: caseId, by: actor.eventActor, at: context.now,
                                        audience: .customer, on: tx)
            if let supplier {
                let supplierId = supplier.id
                try await StaffCases(database: tx).edit(
                    caseId: caseId, expectedVersion: record.version,
                    changes: [.init(field: .supplier, before: nil, after: supplier.name) { $0.supplierId = supplierId }],
                    by: actor.caseActor, at: context.now)
            }
            return record.number
        }
        return .done(number)
    }

    /// The customer's e-mails about a case the company registered (issue 11 point 3: as point 2): to the
    /// contacts linked to it that have an address, in their language, with the case's reply address.
    static func customerNotices(for record: CaseRecord, in context: OperationContext, on tx: any Database) async throws
        -> [OutboxRecord] {
        try await Notifications.customerCaseNews(context.notifications, record: record, news: .created, on: tx)
    }
}
