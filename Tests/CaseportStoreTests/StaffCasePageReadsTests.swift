import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// Issue 17, session 13: the staff case page's reads written as plain SQL (and some merged into one
/// statement) give what the model queries they replaced gave — the contacts a form offers, the linked
/// contacts, the creator, the form's objects, the messages and timeline, and which optional parts a case has.
final class StaffCasePageReadsTests: StoreTestCase {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func testContactCandidatesAreTheCustomersItsObjectsAndTheObjectsActiveContactsByName() async throws {
        let customer = try await make.customer("1"), other = try await make.customer("2")
        let house = try await make.object(of: customer, "Huset"), shed = try await make.object(of: other, "Boden")
        let byCustomer = try await make.contact("Cecilia", customers: [customer])
        let byObject = try await make.contact("Adam", objects: [house])
        let byOtherObject = try await make.contact("Bertil", objects: [shed])
        let elsewhere = try await make.contact("David", customers: [other])
        let inactive = try await make.contact("Erik", customers: [customer])
        inactive.isActive = false
        try await inactive.update(on: db)
        let both = try await make.contact("Adam", customers: [customer], objects: [house])
        let contacts = CaseContacts(database: db)

        var found = try await contacts.candidates(customerId: customer.id, objectId: nil)
        XCTAssertEqual(found.map(\.id), [byObject.id, both.id, byCustomer.id], "by last name, first name, id; each once; active only")
        XCTAssertEqual(found.map(\.displayName), ["Adam Test", "Adam Test", "Cecilia Test"])
        XCTAssertEqual(found.first?.isActive, true)
        found = try await contacts.candidates(customerId: customer.id, objectId: shed.id)
        XCTAssertEqual(found.map(\.id), [byObject.id, both.id, byOtherObject.id, byCustomer.id], "and the object's")
        found = try await contacts.candidates(customerId: nil, objectId: shed.id)
        XCTAssertEqual(found.map(\.id), [byOtherObject.id])
        found = try await contacts.candidates(customerId: nil, objectId: nil)
        XCTAssertEqual(Set(found.map(\.id)), Set([byCustomer.id, byObject.id, byOtherObject.id, elsewhere.id, both.id]),
                       "without either, every active contact")
        found = try await contacts.candidates(customerId: customer.id, objectId: nil, limit: 2)
        XCTAssertEqual(found.map(\.id), [byObject.id, both.id])
        let lonely = try await make.customer("3")
        found = try await contacts.candidates(customerId: lonely.id, objectId: nil)
        XCTAssertEqual(found.map(\.id), [], "a customer without contacts offers none")
    }

    func testTheCreatorIsThePersonElseTheUserElseTheStaffMember() async throws {
        let organisation = try await make.customer("1")
        let user = try await make.portalUser("anna", of: organisation, email: "anna@example.com")
        let staff = try await make.staff("Berit")
        let person = AccountPersonRecord()
        (person.userId, person.firstName, person.lastName, person.email, person.phone, person.createdAt) =
            (user.id!, "Carl", "Dahl", "carl@example.com", "070-1", start)
        try await person.create(on: db)
        let cases = StaffCases(database: db)
        var creator = try await cases.creator(personId: person.id, userId: user.id, staffId: staff.id)
        XCTAssertEqual(creator, .init(name: "Carl Dahl", email: "carl@example.com", phone: "070-1"))
        creator = try await cases.creator(personId: nil, userId: user.id, staffId: staff.id)
        XCTAssertEqual(creator, .init(name: "Anna Test", email: "anna@example.com", phone: nil))
        creator = try await cases.creator(personId: 999_999, userId: nil, staffId: staff.id)
        XCTAssertEqual(creator, .init(name: "Berit", email: "berit@service.example", phone: nil), "a person that is gone is skipped")
        creator = try await cases.creator(personId: nil, userId: nil, staffId: 999_999)
        XCTAssertNil(creator)
        creator = try await cases.creator(personId: nil, userId: nil, staffId: nil)
        XCTAssertNil(creator)
    }

    func testPagePartsSayWhichOptionalPartsACaseHas() async throws {
        let record = try await make.case("Läcka")
        let caseId = try record.requireID()
        let cases = StaffCases(database: db)
        var parts = try await cases.facts(number: record.number)?.parts
        XCTAssertEqual(parts, .init(hasChats: false, hasBudget: false, isClaim: false, hasFieldValues: false))

        try await CaseFieldValueRecord(caseId: caseId, fieldId: nil, label: "Våning", value: "3", sortOrder: 1).create(on: db)
        try await CaseFieldValueRecord(caseId: caseId, fieldId: nil, label: "Rum", value: "Kök", sortOrder: 0).create(on: db)
        parts = try await cases.facts(number: record.number)?.parts
        XCTAssertEqual(parts, .init(hasChats: false, hasBudget: false, isClaim: false, hasFieldValues: true))
        let values = try await cases.fieldValues(caseId: caseId)
        XCTAssertEqual(values.map(\.label), ["Rum", "Våning"])
        XCTAssertEqual(values.map(\.value), ["Kök", "3"])

        let details = ClaimDetailsRecord()
        details.id = caseId
        details.policyholderType = ClaimCustomerType.privateCustomer.rawValue
        try await details.create(on: db)
        _ = try await BudgetLines(database: db).add(caseId: caseId, description: "Rör", quantity: Quantity(milli: 1_000),
                                                   unitPrice: Money(minor: 100), amount: Money(minor: 100), at: start)
        let chat = ChatConversationRecord()
        (chat.visitorName, chat.visitorEmail, chat.visitorTokenHash, chat.language, chat.state) = ("Eva", "eva@example.com", "hash", "sv", .ended)
        (chat.caseId, chat.lastSeq, chat.createdAt, chat.lastActivityAt) = (caseId, 0, start, start)
        try await chat.create(on: db)
        parts = try await cases.facts(number: record.number)?.parts
        XCTAssertEqual(parts, .init(hasChats: true, hasBudget: true, isClaim: true, hasFieldValues: true))
        let another = try await make.case("Annat")
        parts = try await cases.facts(number: another.number)?.parts
        XCTAssertEqual(parts, .init(hasChats: false, hasBudget: false, isClaim: false, hasFieldValues: false), "another case's parts are not its")
    }

    func testFormObjectsAreTheCustomersAndTheCasesOwnByName() async throws {
        let customer = try await make.customer("1"), other = try await make.customer("2")
        let b = try await make.object(of: customer, "B-huset"), a = try await make.object(of: customer, "A-huset")
        let elsewhere = try await make.object(of: other, "C-huset")
        let cases = StaffCases(database: db)
        var objects = try await cases.formObjects(customerId: customer.id, objectId: nil)
        XCTAssertEqual(objects.map(\.id), [a.id, b.id])
        XCTAssertEqual(objects.map(\.address), ["A-husetgatan 1", "B-husetgatan 1"])
        objects = try await cases.formObjects(customerId: customer.id, objectId: elsewhere.id)
        XCTAssertEqual(objects.map(\.name), ["A-huset", "B-huset", "C-huset"])
        objects = try await cases.formObjects(customerId: nil, objectId: nil)
        XCTAssertEqual(objects.map(\.id), [])
    }

    func testMessagesAndTimelineReadByColumnAreTheStoredOnesNewestFirst() async throws {
        let record = try await make.case("Läcka")
        let caseId = try record.requireID()
        let people = try await make.authors()
        let conversation = CaseConversation(database: db)
        _ = try await conversation.add(caseId: caseId, author: people.customer, body: "Första", at: start)
        _ = try await conversation.add(caseId: caseId, author: people.staff, body: "Intern", isInternal: true, at: start.addingTimeInterval(10))
        _ = try await CaseConversation.insert(caseId: caseId, author: people.customer, body: "Laddade upp x.png", isInternal: false,
                                              at: start.addingTimeInterval(20), text: MessageText("message_file_uploaded", ["name": "x.png"]),
                                              on: db)
        let stored = try await CaseMessageRecord.query(on: db).filter(\.$caseId == caseId)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).all()
        let read = try await StaffCases(database: db).allMessages(caseId: caseId)
        XCTAssertEqual(read.map(\.id), stored.map(\.id))
        XCTAssertEqual(read.map(\.body), ["Laddade upp x.png", "Intern", "Första"])
        for (a, b) in zip(read, stored) {
            XCTAssertEqual(a.caseId, b.caseId)
            XCTAssertEqual(a.authorKind, b.authorKind)
            XCTAssertEqual(a.authorUserId, b.authorUserId)
            XCTAssertEqual(a.authorStaffId, b.authorStaffId)
            XCTAssertEqual(a.authorPersonId, b.authorPersonId)
            XCTAssertEqual(a.authorName, b.authorName)
            XCTAssertEqual(a.isInternal, b.isInternal)
            XCTAssertEqual(a.createdAt, b.createdAt)
            XCTAssertEqual(a.textKey, b.textKey)
            XCTAssertEqual(a.textParams, b.textParams)
        }
        let limited = try await StaffCases(database: db).allMessages(caseId: caseId, limit: 1)
        XCTAssertEqual(limited.map(\.body), ["Laddade upp x.png"])

        let actor = people.actor
        let cases = StaffCases(database: db)
        let subject = StaffCases.Change(field: .plain(.subject), before: "Läcka", after: "Läckage") { $0.subject = "Läckage" }
        try await cases.edit(caseId: caseId, expectedVersion: 1, changes: [subject], by: actor, at: start.addingTimeInterval(30))
        let timeline = try await cases.events(caseId: caseId)
        let records = try await CaseEventRecord.query(on: db).filter(\.$caseId == caseId)
            .sort(\.$at, .descending).sort(\.$id, .descending).all()
        XCTAssertEqual(timeline.map(\.id), records.map { $0.id! })
        XCTAssertEqual(timeline.first?.event, .fieldChanged(.subject, before: "Läcka", after: "Läckage"))
        XCTAssertEqual(timeline.first?.actor, EventActor(staffId: people.staffId, name: "Berit"))
        XCTAssertEqual(timeline.map(\.at), records.map(\.at))
        XCTAssertEqual(timeline.map(\.audience.rawValue), records.map(\.audience))
    }
}
