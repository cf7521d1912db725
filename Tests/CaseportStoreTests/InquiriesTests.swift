import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// The inquiry inbox (D2): what waits, newest first; a user's own inquiries only; one case per
/// inquiry however often it is processed; only waiting inquiries are deleted.
final class InquiriesTests: StoreTestCase {
    let start = Date(timeIntervalSince1970: 1_700_000_000)
    var people: Authors!
    var anna: Int { people.userId }

    override func setUp() async throws {
        try await super.setUp()
        people = try await make.authors()
    }

    func submit(_ subject: String, by userId: Int?, minutes: Double) async throws -> InquiryRecord {
        var new = NewCase(subject: subject, description: "Beskrivning av \(subject)", createdByName: "Anna", origin: .portal)
        new.createdByUserId = userId
        new.createdAt = start.addingTimeInterval(minutes * 60)
        new.fieldValues = [.init(fieldId: nil, label: "Våning", value: "3")]
        return try await Inquiries(database: db).submit(new, senderEmail: "anna@example.org", senderPhone: nil)
    }

    func testWaitingInquiriesAreListedNewestFirstAndPaged() async throws {
        for n in 0..<4 { _ = try await submit("Fråga \(n)", by: anna, minutes: Double(n)) }
        let inquiries = Inquiries(database: db)
        let count = try await inquiries.countNew()
        XCTAssertEqual(count, 4)
        let all = try await inquiries.waiting()
        XCTAssertEqual(all.map(\.subject), ["Fråga 3", "Fråga 2", "Fråga 1", "Fråga 0"])
        let page = try await inquiries.waiting(offset: 1, limit: 2)
        XCTAssertEqual(page.map(\.subject), ["Fråga 2", "Fråga 1"])
        XCTAssertEqual(all.first?.fieldValues.map(\.value), ["3"], "extra field values are kept")
        XCTAssertEqual(all.first?.senderEmail, "anna@example.org")
    }

    func testAUserSeesOnlyTheirOwnInquiries() async throws {
        _ = try await submit("Annas", by: anna, minutes: 0)
        _ = try await submit("Annas andra", by: anna, minutes: 1)
        let erik = try await make.portalUser("erik", of: try await make.customer("2")).id!
        _ = try await submit("Eriks", by: erik, minutes: 2)
        let inquiries = Inquiries(database: db)
        let annas = try await inquiries.sentBy(userId: anna)
        XCTAssertEqual(annas.map(\.subject), ["Annas andra", "Annas"])
        let limited = try await inquiries.sentBy(userId: anna, limit: 1)
        XCTAssertEqual(limited.map(\.subject), ["Annas andra"])
        let nobody = try await inquiries.sentBy(userId: erik + 1)
        XCTAssertTrue(nobody.isEmpty)
    }

    func testAnInquiryBecomesOneCaseEvenWhenProcessedTwice() async throws {
        let inquiry = try await submit("Trasig dörr", by: anna, minutes: 0)
        let inquiries = Inquiries(database: db)
        var new = Inquiries.newCase(from: inquiry)
        XCTAssertEqual(new.subject, "Trasig dörr")
        XCTAssertEqual(new.fieldValues.map(\.label), ["Våning"])
        XCTAssertEqual(new.createdByUserId, anna)
        new.subject = "Trasig dörr, hus B"
        let mail = OutboxRecord(kind: .caseCopy, recipient: "anna@example.org", language: "sv", subject: "s", body: "b")
        let created = try await inquiries.createCase(inquiryId: inquiry.id!, new, processedBy: "Berit", staffId: people.staffId) { _ in [mail] }
        XCTAssertEqual(created.subject, "Trasig dörr, hus B")
        do {
            _ = try await inquiries.createCase(inquiryId: inquiry.id!, new, processedBy: "Sven")
            XCTFail("a processed inquiry cannot make a second case")
        } catch let error as Inquiries.InquiryError {
            XCTAssertEqual(error, .alreadyProcessed)
        }
        let cases = try await CaseRecord.query(on: db).count()
        XCTAssertEqual(cases, 1)
        let stored = try await inquiries.find(id: inquiry.id!)
        XCTAssertEqual(stored?.status, .processed)
        XCTAssertEqual(stored?.caseId, created.id)
        XCTAssertEqual(stored?.processedByName, "Berit")
        let waiting = try await inquiries.countNew()
        XCTAssertEqual(waiting, 0)
        let queued = try await OutboxRecord.query(on: db).all()
        XCTAssertEqual(queued.map(\.caseId), [created.id], "the notification names the new case")
        let fields = try await CaseConversation(database: db).fieldValues(caseId: created.id!)
        XCTAssertEqual(fields.map(\.value), ["3"])
    }

    func testDeleteRemovesOnlyWaitingInquiries() async throws {
        let waiting = try await submit("Väntar", by: anna, minutes: 0)
        let processed = try await submit("Klar", by: anna, minutes: 1)
        let inquiries = Inquiries(database: db)
        _ = try await inquiries.createCase(inquiryId: processed.id!, Inquiries.newCase(from: processed), processedBy: "Berit")
        let deleted = try await inquiries.delete(ids: [waiting.id!, processed.id!, 999_999])
        XCTAssertEqual(deleted, 1)
        let gone = try await inquiries.find(id: waiting.id!)
        XCTAssertNil(gone)
        let kept = try await inquiries.find(id: processed.id!)
        XCTAssertNotNil(kept, "a processed inquiry stays with its case")
        let none = try await inquiries.delete(ids: [])
        XCTAssertEqual(none, 0)
    }
}
