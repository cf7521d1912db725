import CaseportCore
import CaseportStore
import FluentKit
import Foundation
import XCTest

/// A portal case page reads the case with what else it has (issue 17, session 25): the flags must say
/// "there is one" whenever there is, or the page would leave out answers, files or a chat.
final class PortalCasePageReadsTests: StoreTestCase {
    func testTheCaseComesWithWhatItsPageHasToRead() async throws {
        let customer = try await make.customer("1"), other = try await make.customer("2")
        let record = try await make.case("Läckage", customer: customer)
        let caseId = try record.requireID(), number = record.number
        let anna = try await make.portalUser("anna", of: customer)
        let userId = try anna.requireID()
        let cases = VisibleCases(database: db)
        let visibility = CaseVisibility(for: .invoiceCustomer(customerId: try customer.requireID()))
        func contents() async throws -> CasePageContents {
            let found = try await cases.findForPage(number: number, for: visibility, userId: userId)
            XCTAssertEqual(found?.detail.id, caseId)
            return try XCTUnwrap(found?.contents)
        }

        var now = try await contents()
        XCTAssertEqual(now, CasePageContents(unseen: true, hasFieldValues: false, hasFiles: false, hasChats: false),
                       "a case never opened is news; it has nothing else")
        // Another customer's viewer finds nothing: the rule is in the statement.
        let stranger = try await cases.findForPage(number: number, for: CaseVisibility(for: .invoiceCustomer(customerId: try other.requireID())),
                                                   userId: userId)
        XCTAssertNil(stranger)

        try await CaseConversation(database: db).recordVisit(caseId: caseId, userId: userId, at: Date().addingTimeInterval(60))
        now = try await contents()
        XCTAssertFalse(now.unseen, "seen after its last activity")
        try await CaseRecord.query(on: db).filter(\.$id == caseId).set(\.$lastActivityAt, to: Date().addingTimeInterval(120)).update()
        now = try await contents()
        XCTAssertTrue(now.unseen, "something happened after the visit")

        let answer = CaseFieldValueRecord(caseId: caseId, fieldId: nil, label: "Våning", value: "3", sortOrder: 1)
        try await answer.create(on: db)
        now = try await contents()
        XCTAssertTrue(now.hasFieldValues)

        // An unshared file counts: the page's own read decides what the customer sees.
        let file = try await make.file(case: record, name: "a.jpg", contentType: "image/jpeg", shared: false)
        now = try await contents()
        XCTAssertTrue(now.hasFiles)
        file.removedAt = Date()
        try await file.save(on: db)
        now = try await contents()
        XCTAssertFalse(now.hasFiles, "a removed file is no file")

        let chat = ChatConversationRecord()
        chat.visitorName = "Anna"
        chat.visitorEmail = "anna@example.com"
        chat.language = "sv"
        chat.state = .ended
        chat.caseId = caseId
        chat.lastSeq = 0
        chat.createdAt = Date()
        chat.lastActivityAt = Date()
        try await chat.create(on: db)
        now = try await contents()
        XCTAssertTrue(now.hasChats)
    }

    /// The approval button's label comes with the case once it awaits approval (B6; issue 17, session 30: it was
    /// a statement of its own), as the case type says, and is not read for a case in any other state.
    func testAResolvedCaseComesWithItsTypesApprovalLabel() async throws {
        let customer = try await make.customer("1")
        let tested = CaseTypeRecord(name: "Installation", sortOrder: 1)
        tested.approvalLabel = ApprovalLabel.testedOK.rawValue
        try await tested.create(on: db)
        let plain = CaseTypeRecord(name: "Läcka", sortOrder: 2)
        try await plain.create(on: db)
        let anna = try await make.portalUser("anna", of: customer)
        let visibility = CaseVisibility(for: .invoiceCustomer(customerId: try customer.requireID()))
        func label(_ type: CaseTypeRecord?, _ status: CaseStatus) async throws -> ApprovalLabel? {
            let record = try await make.case("Fall", customer: customer, status: status) { $0.caseTypeId = type?.id }
            let found = try await VisibleCases(database: db).findForPage(number: record.number, for: visibility,
                                                                         userId: try anna.requireID())
            return try XCTUnwrap(found).contents.approvalLabel
        }
        let resolvedTested = try await label(tested, .resolved)
        XCTAssertEqual(resolvedTested, .testedOK)
        let resolvedPlain = try await label(plain, .resolved)
        XCTAssertEqual(resolvedPlain, .approved)
        let resolvedUntyped = try await label(nil, .resolved)
        XCTAssertEqual(resolvedUntyped, .approved)
        let open = try await label(tested, .open)
        XCTAssertNil(open, "only a case awaiting approval shows the button")
    }
}
