import CaseportCore
@testable import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Issue 13 (seed 002): the start page's attention rows, counted on both databases — the handler's
/// reminders by day, tasks waiting for a supplier (finished ones not), supplier documents until
/// reviewed, and customer contact apart from customer documents since the case was last read.
final class ClaimAttentionTests: StoreTestCase {
    func claim(_ record: CaseRecord, reminder: Date? = nil) async throws {
        let details = ClaimDetailsRecord()
        details.id = record.id
        details.policyholderType = "private"
        details.reminderOn = reminder
        try await details.create(on: db)
    }

    func testRemindersAreTheHandlersOwnAndUnassignedByDay() async throws {
        let henrik = try await make.staff("Henrik"), olle = try await make.staff("Olle")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let now = calendar.date(from: DateComponents(year: 2026, month: 12, day: 4, hour: 15))!
        let today = calendar.startOfDay(for: now)
        func day(_ offset: Int) -> Date { calendar.date(byAdding: .day, value: offset, to: today)! }
        var cases: [CaseRecord] = []
        for (offset, handler) in [(-3, henrik), (0, henrik), (1, henrik), (2, henrik), (9, henrik), (0, olle)] {
            let record = try await make.case("Skada \(offset)") { $0.handlerId = handler.id }
            try await claim(record, reminder: day(offset))
            cases.append(record)
        }
        let attention = ClaimAttention(database: db, now: now)
        let counts = try await attention.counts(staffId: henrik.id!)
        XCTAssertEqual(counts[.remindersToday], 2, "today and the overdue one")
        XCTAssertEqual(counts[.remindersTomorrow], 1)
        XCTAssertEqual(counts[.remindersLater], 2)
        let today0 = try await attention.caseIds(.remindersToday, staffId: henrik.id!)
        XCTAssertEqual(today0, [cases[0].id!, cases[1].id!], "oldest reminder first")
        let olles = try await attention.counts(staffId: olle.id!)
        XCTAssertEqual(olles[.remindersToday], 1)
        // A case nobody handles shows its reminder to every handler.
        let unassigned = try await make.case("Utan handläggare")
        try await claim(unassigned, reminder: day(0))
        let withUnassigned = try await attention.counts(staffId: olle.id!)
        XCTAssertEqual(withUnassigned[.remindersToday], 2)
    }

    func testWaitingTasksSupplierDocumentsAndCustomerActivity() async throws {
        let henrik = try await make.staff("Henrik")
        let a = try await make.case("A"), b = try await make.case("B")
        for (record, state, awaiting) in [(a, "planned", true), (a, "started", true), (b, "finished", true), (b, "planned", false)] {
            let task = ClaimTaskRecord()
            task.caseId = record.id!
            task.kind = "repair"
            task.title = "Golv"
            task.state = state
            task.description = ""
            task.awaitingSupplier = awaiting
            task.createdAt = Date()
            task.updatedAt = Date()
            try await task.create(on: db)
        }
        let supplier = SupplierRecord(name: "Easyfix")
        try await supplier.create(on: db)
        func file(_ record: CaseRecord, supplier: Int?, reviewed: Date? = nil, staff: Int? = nil, at: Date = Date()) async throws {
            let file = StoredFileRecord()
            file.caseId = record.id
            file.storageKey = UUID().uuidString
            file.originalName = "x.pdf"
            file.contentType = "application/pdf"
            file.byteSize = 1
            file.uploaderName = "x"
            file.createdAt = at
            file.supplierId = supplier
            file.reviewedAt = reviewed
            file.uploadedByStaffId = staff
            try await file.create(on: db)
        }
        try await file(a, supplier: supplier.id, staff: henrik.id)
        try await file(b, supplier: supplier.id, reviewed: Date(), staff: henrik.id)
        let attention = ClaimAttention(database: db, now: Date())
        var counts = try await attention.counts(staffId: henrik.id!)
        XCTAssertEqual(counts[.awaitingSupplier], 1, "one case, however many tasks; a finished task waits for nobody")
        XCTAssertEqual(counts[.supplierUploads], 1, "a reviewed document is off the list")
        XCTAssertEqual(counts[.customerContact], 0)

        // The customer writes on A and uploads on B; B was read before an older upload.
        let author = CaseConversation.Author(kind: .customer, userId: nil, name: "Anna")
        try await db.transaction { tx in
            _ = try await CaseConversation.insert(caseId: a.id!, author: author, body: "Hej", isInternal: false, at: Date(), on: tx)
        }
        try await file(b, supplier: nil)
        try await CaseRecord.query(on: db).filter(\.$id == b.id!).set(\.$hasUnreadActivity, to: true).update()
        counts = try await attention.counts(staffId: henrik.id!)
        XCTAssertEqual(counts[.customerContact], 1)
        XCTAssertEqual(counts[.customerDocuments], 1)
        let contact = try await attention.caseIds(.customerContact, staffId: henrik.id!)
        let documents = try await attention.caseIds(.customerDocuments, staffId: henrik.id!)
        XCTAssertEqual(contact, [a.id!])
        XCTAssertEqual(documents, [b.id!])
        try await StaffCases(database: db).markRead(caseId: b.id!, at: Date().addingTimeInterval(1))
        let afterRead = try await attention.caseIds(.customerDocuments, staffId: henrik.id!)
        XCTAssertEqual(afterRead, [])
    }
}
