import CaseportCore
import CaseportStore
import FluentKit

/// A7 reads a contact's links to customers and objects: they decide what the contact's portal user
/// sees, so adding or removing one is an access change in the audit log (E5). Linking twice or
/// removing a link that is not there changes nothing and writes nothing.
public enum LinkContact {
    /// What staff link a contact to, as typed: a customer number or an object id.
    public enum Link: Sendable, Equatable {
        case customer(number: String)
        case object(id: String)
    }

    /// The link form's fields; each link has its own small form on the contact page.
    public enum Field: String, Hashable, Sendable {
        case customerNumber = "customer_number", objectId = "object_id"
    }

    /// An existing link, by the linked record's id (from the page's remove button).
    public enum Linked: Sendable, Equatable {
        case customer(Int)
        case object(Int)
    }

    /// Adds a link; `true` when it was new.
    public static func add(_ link: Link, toContact contactId: Int, by actor: StaffActor,
                           in context: OperationContext) async throws -> Outcome<Bool, Field> {
        let db = context.database
        guard let contact = try await ContactRecord.find(contactId, on: db) else { throw OperationError.notFound }
        var problems = Problems<Field>()
        switch link {
        case .customer(let typed):
            let number = typed.trimmed
            var customer: CustomerRecord?
            if !number.isEmpty {
                customer = try await CustomerRecord.query(on: db).filter(\.$customerNumber == String(number.prefix(50)).trimmed).first()
            }
            guard let customer else {
                if number.isEmpty { problems.add(.customerNumber, ProblemKey.required) }
                else { problems.add(.customerNumber, "md_error_unknown_customer") }
                return .problems(problems)
            }
            let customerId = try customer.requireID()
            let added = try await db.transaction { tx -> Bool in
                let exists = try await ContactCustomerLink.query(on: tx).filter(\.$contactId == contactId)
                    .filter(\.$customerId == customerId).first()
                guard exists == nil else { return false }
                try await ContactCustomerLink(contactId: contactId, customerId: customerId).create(on: tx)
                try await context.audit(.accessChanged, by: actor.auditActor, subject: subject(of: contact),
                                        details: "linked to customer \(customer.customerNumber)", on: tx)
                try await LinkRegisteredUsers.run(contactIds: [contactId], by: actor.auditActor, in: context, on: tx)
                return true
            }
            return .done(added)
        case .object(let typed):
            let text = typed.trimmed
            var object: ObjectRecord?
            if let id = Int(text.prefix(12)) { object = try await ObjectRecord.find(id, on: db) }
            guard let object else {
                if text.isEmpty { problems.add(.objectId, ProblemKey.required) }
                else { problems.add(.objectId, "md_error_unknown_object") }
                return .problems(problems)
            }
            let objectId = try object.requireID()
            let added = try await db.transaction { tx -> Bool in
                let exists = try await ContactObjectLink.query(on: tx).filter(\.$contactId == contactId)
                    .filter(\.$objectId == objectId).first()
                guard exists == nil else { return false }
                try await ContactObjectLink(contactId: contactId, objectId: objectId).create(on: tx)
                try await context.audit(.accessChanged, by: actor.auditActor, subject: subject(of: contact),
                                        details: "linked to object \(objectId) \(object.name)", on: tx)
                try await LinkRegisteredUsers.run(contactIds: [contactId], by: actor.auditActor, in: context, on: tx)
                return true
            }
            return .done(added)
        }
    }

    /// Removes a link; `true` when there was one.
    @discardableResult
    public static func remove(_ linked: Linked, fromContact contactId: Int, by actor: StaffActor,
                              in context: OperationContext) async throws -> Bool {
        guard let contact = try await ContactRecord.find(contactId, on: context.database) else { throw OperationError.notFound }
        return try await context.database.transaction { tx -> Bool in
            switch linked {
            case .customer(let customerId):
                guard let link = try await ContactCustomerLink.query(on: tx).filter(\.$contactId == contactId)
                    .filter(\.$customerId == customerId).first() else { return false }
                try await link.delete(on: tx)
                let number = try await CustomerRecord.find(customerId, on: tx)?.customerNumber ?? String(customerId)
                try await context.audit(.accessChanged, by: actor.auditActor, subject: subject(of: contact),
                                        details: "unlinked from customer \(number)", on: tx)
            case .object(let objectId):
                guard let link = try await ContactObjectLink.query(on: tx).filter(\.$contactId == contactId)
                    .filter(\.$objectId == objectId).first() else { return false }
                try await link.delete(on: tx)
                try await context.audit(.accessChanged, by: actor.auditActor, subject: subject(of: contact),
                                        details: "unlinked from object \(objectId)", on: tx)
            }
            return true
        }
    }

    /// How the audit log names a contact.
    static func subject(of contact: ContactRecord) -> String {
        "contact \(contact.id.map(String.init) ?? "") \(contact.firstName) \(contact.lastName)"
    }
}
