import CaseportCore
import CaseportStore
import CaseportTestSupport
import FluentKit
import Foundation
import XCTest

/// A store test on a database of its own (migrated, empty), with `make` for small fixtures.
class StoreTestCase: XCTestCase {
    var harness: StoreHarness!
    var db: any Database { harness.database }
    var make: StoreFixtures { StoreFixtures(db: harness.database) }

    override func setUp() async throws { harness = try await StoreHarness() }
    override func tearDown() async throws { await harness?.shutdown() }
}

/// Factory functions for register, account and case rows: each saves one row and returns it.
struct StoreFixtures {
    let db: any Database

    @discardableResult
    func customer(_ number: String, name: String? = nil) async throws -> CustomerRecord {
        let record = CustomerRecord(name: name ?? "Kund \(number)", shortCode: "k\(number)", customerNumber: number)
        try await record.create(on: db)
        return record
    }

    @discardableResult
    func object(of customer: CustomerRecord, _ name: String) async throws -> ObjectRecord {
        let record = ObjectRecord(customerId: try customer.requireID(), name: name, address: "\(name)gatan 1")
        try await record.create(on: db)
        return record
    }

    @discardableResult
    func contact(_ firstName: String, email: String? = nil, customers: [CustomerRecord] = [],
                 objects: [ObjectRecord] = []) async throws -> ContactRecord {
        let record = ContactRecord(firstName: firstName, lastName: "Test", email: email)
        try await record.create(on: db)
        for customer in customers {
            try await ContactCustomerLink(contactId: try record.requireID(), customerId: try customer.requireID()).create(on: db)
        }
        for object in objects {
            try await ContactObjectLink(contactId: try record.requireID(), objectId: try object.requireID()).create(on: db)
        }
        return record
    }

    @discardableResult
    func portalUser(_ username: String, of organisation: CustomerRecord, kind: PortalLoginKind = .contact,
                    contact: ContactRecord? = nil, object: ObjectRecord? = nil, email: String? = nil,
                    isActive: Bool = true, isAdmin: Bool = false) async throws -> PortalUserRecord {
        let record = PortalUserRecord(organisationId: try organisation.requireID(), username: username, loginKind: kind,
                                      contactId: contact?.id, objectId: object?.id, firstName: username.capitalized,
                                      lastName: "Test", email: email, passwordHash: "plain:x", isAdmin: isAdmin,
                                      isActive: isActive)
        try await record.create(on: db)
        return record
    }

    @discardableResult
    func staff(_ name: String, role: StaffRole = .handler) async throws -> StaffUserRecord {
        let record = StaffUserRecord(email: "\(name.lowercased())@service.example", name: name, role: role, passwordHash: "plain:x")
        try await record.create(on: db)
        return record
    }

    /// A case through `CaseCreation`, as the portal and the back office make them.
    @discardableResult
    func `case`(_ subject: String, customer: CustomerRecord? = nil, object: ObjectRecord? = nil,
                contacts: [ContactRecord] = [], status: CaseStatus = .new, origin: CaseOrigin = .portal,
                createdAt: Date = Date(), description: String = "", configure: (inout NewCase) -> Void = { _ in }) async throws -> CaseRecord {
        var new = NewCase(subject: subject, description: description, createdByName: "Test", origin: origin)
        new.customerId = customer?.id
        new.objectId = object?.id
        new.primaryContactId = contacts.first?.id
        new.otherContactIds = contacts.dropFirst().compactMap(\.id)
        new.status = status
        new.createdAt = createdAt
        configure(&new)
        return try await CaseCreation.create(new, on: db)
    }

    /// A stored file on a case, a customer or an object (a PDF of 100 bytes unless told).
    @discardableResult
    func file(case caseRecord: CaseRecord? = nil, customer: CustomerRecord? = nil, object: ObjectRecord? = nil,
              name: String, contentType: String = "application/pdf", uploadedBy userId: Int? = nil,
              shared: Bool = true, at createdAt: Date = Date()) async throws -> StoredFileRecord {
        let record = StoredFileRecord()
        record.caseId = caseRecord?.id
        record.customerId = customer?.id
        record.objectId = object?.id
        record.storageKey = "key-\(name)"
        record.originalName = name
        record.contentType = contentType
        record.byteSize = 100
        record.uploadedByUserId = userId
        record.uploaderName = "Uppladdare"
        record.createdAt = createdAt
        record.isShared = shared
        try await record.create(on: db)
        return record
    }

    func outbox(_ recipient: String, channel: OutboxChannel = .email, caseId: Int? = nil) async throws -> OutboxRecord {
        let record = OutboxRecord(channel: channel, kind: .messageCopy, recipient: recipient, language: "sv", subject: "Ämne",
                                  body: "Hej", caseId: caseId)
        try await record.create(on: db)
        return record
    }

    /// Anna, a portal user, and Berit, a staff member: messages, events, tokens and inquiries refer
    /// to real accounts (foreign keys), so tests act as these two.
    func authors() async throws -> Authors {
        let anna = try await portalUser("anna", of: try await customer("9000", name: "Annas förening"))
        let berit = try await staff("Berit")
        return Authors(userId: try anna.requireID(), staffId: try berit.requireID())
    }

    /// The case as it is stored now.
    func reload(_ record: CaseRecord) async throws -> CaseRecord {
        let found = try await CaseRecord.find(try record.requireID(), on: db)
        return try XCTUnwrap(found)
    }
}

struct Authors {
    let userId: Int
    let staffId: Int
    var customer: CaseConversation.Author { .init(kind: .customer, userId: userId, name: "Anna") }
    var staff: CaseConversation.Author { .init(kind: .staff, staffId: staffId, name: "Berit") }
    var actor: StaffCases.Actor { .init(staffId: staffId, name: "Berit") }
}
