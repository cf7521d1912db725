import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Case handling in the back office (D3, D4): workflow enforced on the server, internal notes kept
/// out of the portal, stale edits refused without losing input, every change on the timeline.
final class StaffCaseHandlingTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    func newCase() async throws -> CaseRecord {
        let customer = try await Demo.customer("1001", on: harness.app.db)
        return try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!)
            .filter(\.$status == .new).sort(\.$number, .descending).first()!
    }

    func reload(_ record: CaseRecord) async throws -> CaseRecord {
        try await CaseRecord.find(record.id, on: harness.app.db)!
    }

    /// A deactivated category is not offered to staff any more, except on a case that already has it.
    func testDeactivatedCategoriesAreOfferedOnlyWhereAlreadyChosen() async throws {
        let record = try await newCase()
        let categories = try await CategoryRecord.query(on: harness.app.db).sort(\.$id).all()
        let other = try XCTUnwrap(categories.first { $0.id != record.categoryId })
        other.name = "Utgången kategori"
        other.isActive = false
        try await other.save(on: harness.app.db)
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertFalse(staff.lastBody.contains("Utgången kategori"))

        record.categoryId = other.id
        try await record.save(on: harness.app.db)
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("<option value=\"\(other.id!)\" selected>Utgången kategori</option>"))
    }

    func testACaseGoesFromNewToClosedOnlyByAllowedSteps() async throws {
        var record = try await newCase()
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("value=\"open\""))
        XCTAssertFalse(staff.lastBody.contains("name=\"status\" value=\"reopened\""), "only allowed transitions are offered")

        let refused = try await staff.post("/staff/cases/\(record.number)/status", ["status": "reopened", "version": String(record.version)])
        XCTAssertEqual(refused.status, .unprocessableEntity, "and others are refused on the server")
        let awaited1 = try await reload(record).status
        XCTAssertEqual(awaited1, .new)

        for next in ["open", "waiting_for_customer", "resolved", "closed"] {
            record = try await reload(record)
            let response = try await staff.post("/staff/cases/\(record.number)/status", ["status": next, "version": String(record.version)])
            XCTAssertEqual(response.status, .seeOther, next)
        }
        record = try await reload(record)
        XCTAssertEqual(record.status, .closed)
        let events = try await CaseEvents.after(0, on: harness.app.db).filter { $0.caseId == record.id! && $0.event.kind == .statusChanged }
        XCTAssertEqual(events.map(\.event), [.statusChanged(from: .new, to: .open), .statusChanged(from: .open, to: .waitingForCustomer),
                                             .statusChanged(from: .waitingForCustomer, to: .resolved),
                                             .statusChanged(from: .resolved, to: .closed)])
        XCTAssertTrue(events.allSatisfy { $0.actor.name == "Henrik Handläggare" && $0.audience == .customer })
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("Status: Åtgärdat – väntar på godkännande → Avslutat"))
    }

    func testAStaleEditIsRefusedAndKeepsWhatWasTyped() async throws {
        let record = try await newCase()
        let first = harness.browser(), second = harness.browser()
        try await first.staffLogin("handler@example.com")
        try await second.staffLogin("admin@example.com")
        try await first.get("/staff/cases/\(record.number)")
        try await second.get("/staff/cases/\(record.number)")
        let version = String(record.version)
        let awaited2 = try await second.post("/staff/cases/\(record.number)", ["subject": "Ändrad av admin", "description": record.description,
                                                                                "version": version]).status
        XCTAssertEqual(awaited2, .seeOther)
        let stale = try await first.post("/staff/cases/\(record.number)", ["subject": "Min ändring", "description": "Min text",
                                                                            "version": version])
        XCTAssertEqual(stale.status, .conflict)
        XCTAssertTrue(first.lastBody.contains("Någon annan har ändrat ärendet"))
        XCTAssertTrue(first.lastBody.contains("value=\"Min ändring\""))
        XCTAssertTrue(first.lastBody.contains("Min text</textarea>"))
        let awaited3 = try await reload(record).subject
        XCTAssertEqual(awaited3, "Ändrad av admin")
        let events = try await CaseEvents.timeline(caseId: record.id!, on: harness.app.db).filter {
            if case .fieldChanged(.subject, _, _) = $0.event { return true }
            return false
        }
        XCTAssertEqual(events.map(\.event), [.fieldChanged(.subject, before: record.subject, after: "Ändrad av admin")])
    }

    func testHandlerAssignmentAndBadInput() async throws {
        let record = try await newCase()
        let handler = try await StaffUserRecord.query(on: harness.app.db).filter(\.$emailKey == "handler@example.com").first()!
        let staff = harness.browser()
        try await staff.staffLogin("admin@example.com")
        try await staff.get("/staff/cases/\(record.number)")
        let bad = try await staff.post("/staff/cases/\(record.number)", ["subject": "", "description": "kvar", "handler": "999999",
                                                                          "version": String(record.version)])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("kvar</textarea>"))
        let awaited4 = try await staff.post("/staff/cases/\(record.number)", ["subject": record.subject, "description": record.description,
                                                                               "handler": String(handler.id!), "version": String(record.version)]).status
        XCTAssertEqual(awaited4, .seeOther)
        let awaited5 = try await reload(record).handlerId
        XCTAssertEqual(awaited5, handler.id)
        try await staff.get("/staff/cases?handler=\(handler.id!)")
        XCTAssertTrue(staff.listedCaseNumbers.contains(record.number))
        let awaited6 = try await staff.get("/staff/cases/99999999").status
        XCTAssertEqual(awaited6, .notFound)
    }

    func testInternalNotesStayInTheBackOfficeAndMessagesReachThePortal() async throws {
        let record = try await newCase()
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/cases/\(record.number)")
        try await staff.post("/staff/cases/\(record.number)/messages", ["body": "Notering: kunden verkar irriterad", "internal": "1"])
        try await staff.post("/staff/cases/\(record.number)/messages", ["body": "Vi kommer på torsdag förmiddag."])
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("kunden verkar irriterad"))

        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases/\(record.number)")
        XCTAssertTrue(anna.lastBody.contains("Vi kommer på torsdag förmiddag."))
        XCTAssertFalse(anna.lastBody.contains("irriterad"))
        try await anna.get("/cases?q=irriterad")
        XCTAssertEqual(anna.listedCaseNumbers, [])
        try await anna.get("/cases?q=torsdag")
        XCTAssertEqual(anna.listedCaseNumbers, [record.number])
    }

    func testCustomerActivityIsMarkedUntilReadAndMarkAllClearsIt() async throws {
        let record = try await newCase()
        // Henrik handles the case; nothing else is unread when the test starts.
        try await CaseRecord.query(on: harness.app.db).set(\.$hasUnreadActivity, to: false).update()
        let handler = try await StaffUserRecord.query(on: harness.app.db).filter(\.$email == "handler@example.com").first()!
        try await CaseRecord.query(on: harness.app.db).filter(\.$id == record.id!).set(\.$handlerId, to: handler.id).update()
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases/\(record.number)")
        try await anna.post("/cases/\(record.number)/messages", ["body": "Finns det någon tid nästa vecka?"])

        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff")
        XCTAssertTrue(staff.lastBody.contains("Oläst kundaktivitet: <strong>1</strong>"))
        try await staff.get("/staff/cases?unread=1")
        XCTAssertEqual(staff.listedCaseNumbers, [record.number])
        // Issue 9 (g): opening the page (a GET) changes nothing; "Mark as read" is an explicit POST.
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("action=\"/staff/cases/\(record.number)/read\""), "the page offers the button")
        try await staff.get("/staff/cases?unread=1")
        XCTAssertEqual(staff.listedCaseNumbers, [record.number], "opening the case does not mark it read")
        try await staff.get("/staff/cases/\(record.number)")
        let forged = try await staff.post("/staff/cases/\(record.number)/read", [:], csrf: false)
        XCTAssertEqual(forged.status, .forbidden, "without the CSRF token nothing changes")
        let stillUnread = try await StaffCases(database: harness.app.db).countUnread()
        XCTAssertEqual(stillUnread, 1)
        let marked = try await staff.post("/staff/cases/\(record.number)/read", [:])
        XCTAssertEqual(marked.status, .seeOther)
        try await staff.get("/staff/cases?unread=1")
        XCTAssertEqual(staff.listedCaseNumbers, [], "marking the case read clears it")

        try await anna.get("/cases/\(record.number)")
        try await anna.upload("/cases/\(record.number)/files", files: [("foto.png", "image/png", Demo.pngBytes())])
        let awaited7 = try await StaffCases(database: harness.app.db).countUnread()
        XCTAssertEqual(awaited7, 1, "an upload is activity too")
        try await staff.get("/staff/cases")
        let all = try await staff.post("/staff/cases/mark-all-read", [:])
        XCTAssertEqual(all.headers.first(name: .location), "/staff/cases?notice=read&n=1", "the notice says how many")
        try await staff.get("/staff/cases?notice=read&n=1")
        XCTAssertTrue(staff.lastBody.contains("1 av dina ärenden markerades som lästa."))
        let awaited8 = try await StaffCases(database: harness.app.db).countUnread()
        XCTAssertEqual(awaited8, 0)
    }

    /// Issue 17, session 15: the back office showed the newest 200 messages and nothing older; it pages the
    /// conversation as the portal does, internal notes counted, the description at the end of the last page.
    func testEveryMessageAndNoteIsShownPagedPast200() async throws {
        let record = try await newCase()
        let conversation = CaseConversation(database: harness.app.db)
        let cases = StaffCases(database: harness.app.db)
        let before = try await cases.messageCount(caseId: record.id!)
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        for index in 0 ..< (201 - before) {
            try await conversation.add(caseId: record.id!, author: .init(kind: .staff, name: "Henrik"),
                                       body: index == 0 ? "Den äldsta anteckningen" : "Meddelande \(index)",
                                       isInternal: index % 2 == 0, at: start.addingTimeInterval(Double(index)))
        }
        let total = try await cases.messageCount(caseId: record.id!)
        XCTAssertEqual(total, 201)
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertEqual(Self.count("<li class=\"message", in: staff.lastBody), 200)
        XCTAssertTrue(staff.lastBody.contains("href=\"/staff/cases/\(record.number)?page=2#messages\""))
        XCTAssertFalse(staff.lastBody.contains("id=\"case-description\""), "the description ends the last page only")
        for page in ["2", "3", "9223372036854775807"] {
            let response = try await staff.get("/staff/cases/\(record.number)?page=\(page)")
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(Self.count("<li class=\"message", in: staff.lastBody), 1, "page \(page) is the last page: the oldest")
            XCTAssertTrue(staff.lastBody.contains("Den äldsta anteckningen"))
            XCTAssertTrue(staff.lastBody.contains("id=\"case-description\""))
        }
    }

    private static func count(_ needle: String, in haystack: String) -> Int {
        haystack.components(separatedBy: needle).count - 1
    }

    func testAPortalSessionCannotReachTheBackOfficeCasePages() async throws {
        let record = try await newCase()
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        let response = try await anna.get("/staff/cases/\(record.number)")
        XCTAssertEqual(response.headers.first(name: .location), "/staff/login")
        try await anna.get("/cases")
        let awaited9 = try await anna.post("/staff/cases/\(record.number)/messages", ["body": "x", "internal": "1"]).headers.first(name: .location)
        XCTAssertEqual(awaited9,
                       "/staff/login")
    }
}
