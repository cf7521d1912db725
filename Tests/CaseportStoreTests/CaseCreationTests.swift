import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// Registering a case saves it whole in one transaction: number, contacts (the primary once),
/// field values in order, notifications naming it, and unread activity when it came from the portal.
final class CaseCreationTests: StoreTestCase {
    func testACaseIsSavedWithItsContactsFieldsAndNotifications() async throws {
        let anna = try await make.contact("Anna"), erik = try await make.contact("Erik")
        let mail = OutboxRecord(kind: .caseCopy, recipient: "anna@example.org", language: "sv", subject: "s", body: "b")
        var new = NewCase(subject: "Läckande kran", description: "Köket", createdByName: "Anna", origin: .portal)
        new.primaryContactId = anna.id
        new.otherContactIds = [erik.id!, anna.id!, erik.id!]
        new.fieldValues = [.init(fieldId: nil, label: "Våning", value: "3"), .init(fieldId: nil, label: "Port", value: "B")]
        let record = try await CaseCreation.create(new, notifications: [mail], on: db)
        XCTAssertEqual(record.number, CaseNumbers.firstNumber)
        XCTAssertEqual(record.version, 1)
        XCTAssertTrue(record.hasUnreadActivity, "a portal case is news for the back office")
        let links = try await CaseContactLink.query(on: db).filter(\.$caseId == record.id!).sort(\.$contactId).all()
        XCTAssertEqual(links.map(\.contactId), [anna.id!, erik.id!], "each contact once")
        XCTAssertEqual(links.map(\.isPrimary), [true, false])
        let fields = try await CaseConversation(database: db).fieldValues(caseId: record.id!)
        XCTAssertEqual(fields.map(\.label), ["Våning", "Port"])
        let queued = try await OutboxRecord.query(on: db).all()
        XCTAssertEqual(queued.map(\.caseId), [record.id])

        let staffCase = try await make.case("Från kontoret", origin: .backOffice)
        XCTAssertEqual(staffCase.number, CaseNumbers.firstNumber + 1)
        XCTAssertFalse(staffCase.hasUnreadActivity)
    }
}
