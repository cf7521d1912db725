import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import Foundation

/// A small register for operation tests: two customers, each with an object and a portal user who
/// sees that customer's cases, one staff handler, and a case per customer.
struct OperationWorld {
    let db: any Database
    var context: OperationContext
    var anna: PortalActor          // sees customer A's cases
    var bert: PortalActor          // sees customer B's cases
    var handler: StaffActor
    var handlerEmail = "handler@example.com"
    var caseA: CaseRecord
    var caseB: CaseRecord

    /// The texts operations read, in one language; enough to see which text was used.
    static let texts: [String: String] = [
        "message_file_uploaded": "Uploaded {name}",
        "message_file_removed": "Removed {name}",
        "approval_approved_message": "Approved.",
        "approval_rejected_message": "Not OK: {comment}",
        "approval_auto_closed_message": "Closed as approved.",
        "mail_handler_customer_message_subject": "Case {number}: message",
        "mail_handler_customer_message_body": "{author} wrote: {text} {link}",
        "mail_handler_customer_upload_subject": "Case {number}: files",
        "mail_handler_customer_upload_body": "{author} uploaded {text}",
        "mail_message_copy_subject": "Copy {number}",
        "mail_message_copy_body": "{body}",
        "mail_approval_reminder_subject": "Approve {number}",
        "mail_approval_reminder_body": "{link}",
    ]
    static let translations = Translations(tables: Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, texts) }))

    static func build(on db: any Database, clock: @escaping @Sendable () -> Date = { Date() }) async throws -> OperationWorld {
        let customerA = CustomerRecord(name: "Brf Solgläntan", shortCode: "sol", customerNumber: "1")
        let customerB = CustomerRecord(name: "Brf Granen", shortCode: "gran", customerNumber: "2")
        try await customerA.create(on: db)
        try await customerB.create(on: db)
        let objectA = ObjectRecord(customerId: try customerA.requireID(), name: "Hus A", address: "Gatan 1")
        let objectB = ObjectRecord(customerId: try customerB.requireID(), name: "Hus B", address: "Gatan 2")
        try await objectA.create(on: db)
        try await objectB.create(on: db)
        func user(_ customer: CustomerRecord, _ name: String, shared: Bool = false) async throws -> PortalActor {
            let record = PortalUserRecord(organisationId: try customer.requireID(), username: name.lowercased(), loginKind: .invoiceCustomer,
                                          firstName: name, lastName: "Test", email: "\(name.lowercased())@example.com",
                                          passwordHash: "x", isShared: shared)
            try await record.create(on: db)
            return try PortalActor(user: record, viewer: try await PortalViewers.viewer(for: record, on: db))
        }
        let staff = StaffUserRecord(email: "handler@example.com", name: "Henrik Handläggare", role: .handler, passwordHash: "x")
        try await staff.create(on: db)
        func newCase(_ customer: CustomerRecord, _ object: ObjectRecord, by user: PortalActor) async throws -> CaseRecord {
            var new = NewCase(subject: "Läcka hos \(customer.name)", description: "Vatten", createdByName: user.name, origin: .portal)
            new.customerId = try customer.requireID()
            new.objectId = try object.requireID()
            new.handlerId = try staff.requireID()
            new.createdByUserId = user.userId
            return try await CaseCreation.create(new, on: db)
        }
        let anna = try await user(customerA, "Anna"), bert = try await user(customerB, "Bert")
        let context = OperationContext(database: db, clock: clock, notifications: NotificationContext(
            translations: translations, publicBaseURL: "https://portal.example.com", companyName: "Fastighetsservice"))
        return OperationWorld(db: db, context: context, anna: anna, bert: bert,
                              handler: StaffActor(staffId: try staff.requireID(), name: staff.name, isAdmin: false),
                              caseA: try await newCase(customerA, objectA, by: anna), caseB: try await newCase(customerB, objectB, by: bert))
    }

    func events(of record: CaseRecord) async throws -> [StoredCaseEvent] {
        try await CaseEvents.timeline(caseId: try record.requireID(), on: db)
    }

    func outbox(of record: CaseRecord) async throws -> [OutboxRecord] {
        try await OutboxRecord.query(on: db).filter(\.$caseId == record.id).sort(\.$id).all()
    }

    func reload(_ record: CaseRecord) async throws -> CaseRecord {
        try await CaseRecord.find(record.id, on: db)!
    }
}

extension Outcome {
    var value: Value? {
        if case .done(let value) = self { return value }
        return nil
    }

    var problems: Problems<Field>? {
        if case .problems(let problems) = self { return problems }
        return nil
    }
}

/// Passwords as readable text, without bcrypt's cost, so a test sees which password an operation
/// stored (bcrypt is the web's).
struct PlainPasswords: PasswordHashing {
    func hash(_ password: String) async throws -> String { "plain:\(password)" }
    func verify(_ password: String, against hash: String) async throws -> Bool { hash == "plain:\(password)" }
}
