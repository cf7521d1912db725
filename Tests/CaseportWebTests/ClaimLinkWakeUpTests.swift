import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTest

/// Issue 13 (C7): a claim staff just changed gets its due personal link within a second, not at the link
/// job's next full round a minute later. The staff forms wake the claim (`ClaimLinkWakeUps`); the job
/// looks at the woken claims, and only at them, between its full rounds.
final class ClaimLinkWakeUpTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    var db: any Database { harness.app.db }

    /// Three new cases of Solgläntan's, each with a contact who has an e-mail address; links go to every
    /// contact of a claim from its creation.
    func threeCasesWithContacts() async throws -> [CaseRecord] {
        var settings = try await ClaimSettingsStore(database: db).deployment()
        settings.linkSent = .atCreation
        settings.recipients = .allContacts
        try await ClaimSettingsStore(database: db).saveDeployment(settings)
        let customer = try await Demo.customer("1001", on: db)
        let cases = try await CaseRecord.query(on: db).filter(\.$customerId == customer.id!)
            .filter(\.$status == .new).sort(\.$number, .descending).limit(3).all()
        XCTAssertEqual(cases.count, 3)
        for (index, record) in cases.enumerated() {
            let contact = ContactRecord(firstName: "Kontakt\(index)", lastName: "Kund", email: "kontakt\(index)@example.com")
            try await contact.create(on: db)
            try await CaseContactLink(caseId: try record.requireID(), contactId: try contact.requireID(), isPrimary: false).create(on: db)
        }
        return cases
    }

    func makeClaim(_ record: CaseRecord) async throws {
        let details = ClaimDetailsRecord()
        details.id = try record.requireID()
        details.policyholderType = "private"
        try await details.create(on: db)
    }

    /// The links sent to the contacts this test made (the demo's own contacts of the cases get theirs too).
    func linkRecipients() async throws -> [String] {
        try await OutboxRecord.query(on: db).filter(\.$kind == OutboxKind.claimLink.rawValue).all().map(\.recipient)
            .filter { $0.hasPrefix("kontakt") }.sorted()
    }

    func waitFor(_ recipients: [String], seconds: Double = 10) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try await linkRecipients() != recipients {
            guard Date() < deadline else {
                return XCTFail("links went to \(try await linkRecipients()), not \(recipients), within \(seconds) s")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func testRegisteringAClaimAndAddingAContactWakeTheCase() async throws {
        let record = try await threeCasesWithContacts()[0]
        let wakeUps = harness.app.caseport.claimLinkWakeUps
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/cases/\(record.number)")
        let registered = try await staff.post("/staff/cases/\(record.number)/claim", [
            "version": String(record.version), "incident": "2026-11-09 13:44", "damage_type": "Vattenskada", "policyholder_type": "private",
        ])
        XCTAssertEqual(registered.status, .seeOther)
        XCTAssertEqual(wakeUps.take(), [record.number])
        XCTAssertEqual(wakeUps.take(), [], "taken once")

        // A form with a problem changes nothing and wakes nothing.
        try await staff.get("/staff/cases/\(record.number)")
        let bad = try await staff.post("/staff/cases/\(record.number)/claim/details", ["version": "1", "incident": "igår"])
        XCTAssertNotEqual(bad.status, .seeOther)
        XCTAssertEqual(wakeUps.take(), [])

        let contact = ContactRecord(firstName: "Ny", lastName: "Kontakt", email: "ny@example.com")
        try await contact.create(on: db)
        try await staff.get("/staff/cases/\(record.number)")
        let linked = try await staff.post("/staff/cases/\(record.number)/contacts", ["contact": String(try contact.requireID())])
        XCTAssertEqual(linked.status, .seeOther)
        XCTAssertEqual(wakeUps.take(), [record.number])
    }

    func testTheJobSendsAWokenClaimsLinkWithinSecondsAndLeavesTheOthersToItsFullRound() async throws {
        let cases = try await threeCasesWithContacts()
        let app = harness.app
        let job = ClaimLinkJob(database: app.db, translations: app.caseport.translations, config: app.caseport.config, clock: { Date() })
        let wakeUps = app.caseport.claimLinkWakeUps
        // The first case is a claim when the job starts: its full round at start sends that link.
        try await makeClaim(cases[0])
        let loop = Task { await job.runForever(wakeUps: wakeUps, interval: .seconds(3_600), check: .milliseconds(50), logger: app.logger) }
        defer { loop.cancel() }
        try await waitFor(["kontakt0@example.com"])

        // Two more claims, one of them woken: only that one's link goes out before the next full round (an hour).
        try await makeClaim(cases[1])
        try await makeClaim(cases[2])
        wakeUps.wake(caseNumber: cases[2].number)
        try await waitFor(["kontakt0@example.com", "kontakt2@example.com"])
        try await Task.sleep(for: .milliseconds(300))
        try await assertLinks(["kontakt0@example.com", "kontakt2@example.com"], "the claim nobody woke waits for the full round")
    }

    func assertLinks(_ expected: [String], _ message: String) async throws {
        let recipients = try await linkRecipients()
        XCTAssertEqual(recipients, expected, message)
    }
}
