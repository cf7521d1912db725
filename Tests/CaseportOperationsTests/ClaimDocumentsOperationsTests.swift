import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Issue 13 points 3 and 4 below HTTP, on both databases: the document library (uploads start
/// unshared, sharing several writes one event each and only once, stopping sharing, deleting),
/// automatic sharing of inspection and settlement reports at the settings' moment (at upload and by
/// the job round, exactly once with rounds at the same time, never again after staff unshared), and
/// the budget's rounding and totals.
final class ClaimDocumentsOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
    }

    override func tearDown() async throws { await harness.shutdown() }

    var db: any Database { world.db }
    var caseA: CaseRecord { world.caseA }

    func makeClaim(_ record: CaseRecord, firstInspectionAt: Date? = nil) async throws {
        let details = ClaimDetailsRecord()
        details.id = try record.requireID()
        details.policyholderType = ClaimCustomerType.privateCustomer.rawValue
        details.firstInspectionAt = firstInspectionAt
        try await details.create(on: db)
    }

    func reachFirstInspection(_ record: CaseRecord) async throws {
        let found = try await ClaimDetailsRecord.find(record.id, on: db)
        let details = try XCTUnwrap(found)
        details.firstInspectionAt = Date()
        try await details.update(on: db)
    }

    func settings(inspection: ClaimMoment, settlement: ClaimMoment = .never) async throws {
        var settings = ClaimPageSettings()
        settings.shareInspectionReport = inspection
        settings.shareSettlementReport = settlement
        try await ClaimSettingsStore(database: db).saveDeployment(settings)
    }

    func upload(_ name: String, _ category: CaseDocumentCategory, title: String = "", on record: CaseRecord? = nil,
                supplier: String = "") async throws -> StoredFileRecord {
        let file = AttachUploadedFiles.StoredUpload(storageKey: "key-\(name)", originalName: name, contentType: "application/pdf",
                                                    byteSize: 10)
        let outcome = try await AddCaseDocuments.run(.init(caseNumber: (record ?? caseA).number, files: [file],
                                                           category: category.rawValue, title: title, supplier: supplier),
                                                     by: world.handler, in: world.context)
        XCTAssertNotNil(outcome.value, "\(String(describing: outcome.problems))")
        let found = try await StoredFileRecord.query(on: db).filter(\.$storageKey == "key-\(name)").first()
        return try XCTUnwrap(found)
    }

    func reload(_ file: StoredFileRecord) async throws -> StoredFileRecord {
        let found = try await StoredFileRecord.find(file.id, on: db)
        return try XCTUnwrap(found)
    }

    /// What Anna (who sees case A) reaches of the case's files through the portal's look-ups.
    func annaReaches(_ file: StoredFileRecord) async throws -> (listed: Bool, found: Bool) {
        let listed = try await VisibleFiles(database: db).caseFiles(caseId: caseA.id!).contains { $0.id == file.id }
        let found = try await VisibleFiles(database: db).find(fileId: file.id!, cases: CaseVisibility(for: world.anna.viewer),
                                                              register: FileVisibility(for: world.anna.viewer)) != nil
        return (listed, found)
    }

    func events(_ kind: CaseEvent.Kind, of record: CaseRecord? = nil) async throws -> [StoredCaseEvent] {
        try await world.events(of: record ?? caseA).filter { $0.event.kind == kind }
    }

    // MARK: The library

    func testAnUploadStartsUnsharedAndOnlyStaffHearOfIt() async throws {
        let file = try await upload("skiss.pdf", .other, title: "Skiss över köket")
        XCTAssertEqual(file.isShared, false)
        XCTAssertNil(file.sharedAt)
        XCTAssertEqual(file.category, "other")
        XCTAssertEqual(file.title, "Skiss över köket")
        let reach = try await annaReaches(file)
        XCTAssertFalse(reach.listed, "not on the customer's case page")
        XCTAssertFalse(reach.found, "not downloadable by the customer")
        let uploaded = try await events(.filesUploaded)
        XCTAssertEqual(uploaded.map(\.audience), [.staff])
        XCTAssertEqual(uploaded.first?.event, .filesUploaded(names: ["Skiss över köket"]))
        let messages = try await CaseMessageRecord.query(on: db).filter(\.$caseId == caseA.id!).all()
        XCTAssertFalse(messages.contains { $0.body.contains("skiss") }, "no conversation line names an unshared document")
    }

    func testUploadProblemsAreNamedAndNothingIsStored() async throws {
        let file = AttachUploadedFiles.StoredUpload(storageKey: "k", originalName: "a.pdf", contentType: "application/pdf", byteSize: 1)
        let outcome = try await AddCaseDocuments.run(.init(caseNumber: caseA.number, files: [file], category: "poster",
                                                           title: String(repeating: "x", count: 201), supplier: "999999"),
                                                     by: world.handler, in: world.context)
        let problems = try XCTUnwrap(outcome.problems)
        XCTAssertEqual(problems[.category], ProblemKey.chooseFromList)
        XCTAssertEqual(problems[.title], ProblemKey.tooLong)
        XCTAssertEqual(problems[.supplier], ProblemKey.chooseFromList)
        let none = try await AddCaseDocuments.run(.init(caseNumber: caseA.number, files: [file], category: "", title: ""),
                                                  by: world.handler, in: world.context)
        XCTAssertEqual(none.problems?[.category], ProblemKey.required)
        let count = try await StoredFileRecord.query(on: db).count()
        XCTAssertEqual(count, 0)
    }

    func testASupplierDocumentRemembersItsSupplier() async throws {
        let supplier = SupplierRecord(name: "Rörfirman")
        try await supplier.create(on: db)
        let file = try await upload("offert.pdf", .other, supplier: String(supplier.id!))
        XCTAssertEqual(file.supplierId, supplier.id)
        let row = try await CaseDocuments(database: db).library(caseId: caseA.id!).first
        XCTAssertEqual(row?.supplierName, "Rörfirman")
    }

    func testSharingSeveralWritesOneEventEachAndOnlyOnce() async throws {
        let first = try await upload("a.pdf", .other, title: "Offert")
        let second = try await upload("b.jpg", .photo)
        let shared = try await ShareCaseDocuments.run(.init(caseNumber: caseA.number, fileIds: [first.id!, second.id!, first.id!]),
                                                      by: world.handler, in: world.context)
        XCTAssertEqual(shared, 2)
        let sharedEvents = try await events(.documentShared)
        XCTAssertEqual(Set(sharedEvents.map(\.event)), [.documentShared(name: "Offert"), .documentShared(name: "b.jpg")])
        XCTAssertTrue(sharedEvents.allSatisfy { $0.audience == .customer })
        let reloaded = try await reload(first)
        XCTAssertEqual(reloaded.isShared, true)
        XCTAssertNotNil(reloaded.sharedAt)
        let reach = try await annaReaches(first)
        XCTAssertTrue(reach.listed && reach.found, "shared: the customer reaches it")

        let again = try await ShareCaseDocuments.run(.init(caseNumber: caseA.number, fileIds: [first.id!, second.id!]),
                                                     by: world.handler, in: world.context)
        XCTAssertEqual(again, 0, "a double submit shares nothing")
        let after = try await events(.documentShared)
        XCTAssertEqual(after.count, 2)

        let otherCase = try await ShareCaseDocuments.run(.init(caseNumber: world.caseB.number, fileIds: [first.id!]),
                                                         by: world.handler, in: world.context)
        XCTAssertEqual(otherCase, 0, "a document is shared only through its own case")
    }

    func testStoppingSharingHidesItAgainWritesAnEventAndACustomerUploadStaysShared() async throws {
        let file = try await upload("a.pdf", .other, title: "Offert")
        _ = try await ShareCaseDocuments.run(.init(caseNumber: caseA.number, fileIds: [file.id!]), by: world.handler, in: world.context)
        let stopped = try await UnshareCaseDocument.run(.init(caseNumber: caseA.number, fileId: file.id!), by: world.handler,
                                                        in: world.context)
        XCTAssertTrue(stopped)
        let again = try await UnshareCaseDocument.run(.init(caseNumber: caseA.number, fileId: file.id!), by: world.handler,
                                                      in: world.context)
        XCTAssertFalse(again)
        let unshared = try await events(.documentUnshared)
        XCTAssertEqual(unshared.map(\.event), [.documentUnshared(name: "Offert")])
        let reach = try await annaReaches(file)
        XCTAssertFalse(reach.listed || reach.found)

        _ = try await AttachUploadedFiles.run(.init(caseNumber: caseA.number, files: [
            .init(storageKey: "anna", originalName: "foto.jpg", contentType: "image/jpeg", byteSize: 5)], language: .sv),
            by: world.anna, in: world.context)
        let annasFound = try await StoredFileRecord.query(on: db).filter(\.$storageKey == "anna").first()
        let annas = try XCTUnwrap(annasFound)
        do {
            _ = try await UnshareCaseDocument.run(.init(caseNumber: caseA.number, fileId: annas.id!), by: world.handler,
                                                  in: world.context)
            XCTFail("a customer's own upload cannot be unshared")
        } catch OperationError.forbidden {}
        let row = try await CaseDocuments(database: db).library(caseId: caseA.id!).first { $0.id == annas.id }
        XCTAssertEqual(row?.shownCategory, .photo, "a conversation file shows in the library as a photo by its type")
        XCTAssertEqual(row?.isShared, true)
    }

    func testDeletingAnUnsharedDocumentTellsOnlyStaff() async throws {
        let file = try await upload("a.pdf", .other)
        let removed = try await DeleteCaseDocument.run(.init(caseNumber: caseA.number, fileId: file.id!), by: world.handler,
                                                       in: world.context)
        XCTAssertEqual(removed.storageKey, "key-a.pdf")
        let library = try await CaseDocuments(database: db).library(caseId: caseA.id!)
        XCTAssertTrue(library.isEmpty)
        let removedEvents = try await events(.fileRemoved)
        XCTAssertEqual(removedEvents.map(\.audience), [.staff])
    }

    func testEditingChangesTitleAndCategoryAndRefusesAnUnknownCategory() async throws {
        let file = try await upload("a.pdf", .other)
        let bad = try await EditCaseDocument.run(.init(caseNumber: caseA.number, fileId: file.id!, category: "x", title: "T"),
                                                 by: world.handler, in: world.context)
        XCTAssertEqual(bad.problems?[.category], ProblemKey.chooseFromList)
        let good = try await EditCaseDocument.run(.init(caseNumber: caseA.number, fileId: file.id!, category: "settlement_report",
                                                        title: "Opgørelse"), by: world.handler, in: world.context)
        XCTAssertNotNil(good.value)
        let reloaded = try await reload(file)
        XCTAssertEqual(reloaded.category, "settlement_report")
        XCTAssertEqual(reloaded.title, "Opgørelse")
        XCTAssertEqual(reloaded.isShared, false, "saving a read row keeps it unshared")
    }

    func testTaskMediaAreNotInTheLibraryAndNeverReachTheCustomer() async throws {
        let medium = StoredFileRecord()
        medium.caseId = caseA.id
        medium.storageKey = "task"
        medium.originalName = "fukt.jpg"
        medium.contentType = "image/jpeg"
        medium.byteSize = 5
        medium.uploaderName = "Besiktningsman"
        medium.createdAt = Date()
        medium.taskId = 1
        medium.isShared = true
        try await medium.create(on: db)
        let library = try await CaseDocuments(database: db).library(caseId: caseA.id!)
        XCTAssertTrue(library.isEmpty)
        let reach = try await annaReaches(medium)
        XCTAssertFalse(reach.listed || reach.found, "a task's medium is never the customer's, even marked shared")
        let shared = try await ShareCaseDocuments.run(.init(caseNumber: caseA.number, fileIds: [medium.id!]), by: world.handler,
                                                      in: world.context)
        XCTAssertEqual(shared, 0)
    }

    // MARK: Automatic sharing

    func testAnInspectionReportIsSharedAtUploadWhenTheMomentIsReached() async throws {
        try await makeClaim(caseA)
        try await settings(inspection: .atCreation, settlement: .never)
        let report = try await upload("besiktning.pdf", .inspectionReport, title: "Besiktningsrapport")
        let settlement = try await upload("opgorelse.pdf", .settlementReport)
        let value1 = try await reload(report).isShared
        XCTAssertEqual(value1, true)
        let value2 = try await reload(settlement).isShared
        XCTAssertEqual(value2, false, "settlement reports: never automatically")
        let shared = try await events(.documentShared)
        XCTAssertEqual(shared.map(\.event), [.documentShared(name: "Besiktningsrapport")])
        XCTAssertEqual(shared.first?.actor.name, world.handler.name)
        let reach = try await annaReaches(report)
        XCTAssertTrue(reach.listed && reach.found)
    }

    func testANonClaimNeverSharesReportsAutomatically() async throws {
        try await settings(inspection: .always)
        let report = try await upload("besiktning.pdf", .inspectionReport)
        let shared = try await AutoShareReports.run(in: world.context)
        XCTAssertEqual(shared, 0)
        let value3 = try await reload(report).isShared
        XCTAssertEqual(value3, false)
    }

    func testTheRoundSharesAReportOnceTheMomentIsReachedLater() async throws {
        try await makeClaim(caseA)
        try await settings(inspection: .firstInspection)
        let report = try await upload("besiktning.pdf", .inspectionReport)
        let value4 = try await reload(report).isShared
        XCTAssertEqual(value4, false)
        var shared = try await AutoShareReports.run(in: world.context)
        XCTAssertEqual(shared, 0, "the moment is not reached")

        try await reachFirstInspection(caseA)
        shared = try await AutoShareReports.run(in: world.context)
        XCTAssertEqual(shared, 1)
        shared = try await AutoShareReports.run(in: world.context)
        XCTAssertEqual(shared, 0, "a second round finds nothing to do")
        let value5 = try await reload(report).isShared
        XCTAssertEqual(value5, true)
        let events = try await events(.documentShared)
        XCTAssertEqual(events.map(\.event), [.documentShared(name: "besiktning.pdf")])
        XCTAssertEqual(events.first?.actor.name, "Fastighetsservice", "the round acts as the company")
    }

    func testTheCaseLevelSettingDecides() async throws {
        try await makeClaim(caseA)
        try await settings(inspection: .never)
        var override = ClaimPageOverrides()
        override.shareInspectionReport = .atCreation
        let foundDetails = try await ClaimDetailsRecord.find(caseA.id, on: db)
        let details = try XCTUnwrap(foundDetails)
        details.pageSettings = String(decoding: try JSONEncoder().encode(override), as: UTF8.self)
        try await details.update(on: db)
        let report = try await upload("besiktning.pdf", .inspectionReport)
        let value6 = try await reload(report).isShared
        XCTAssertEqual(value6, true)
    }

    func testAReportStaffStoppedSharingIsNeverSharedAgainAutomatically() async throws {
        try await makeClaim(caseA)
        try await settings(inspection: .firstInspection)
        let report = try await upload("besiktning.pdf", .inspectionReport)
        // Shared by hand before the moment, then unshared: staff decided.
        _ = try await ShareCaseDocuments.run(.init(caseNumber: caseA.number, fileIds: [report.id!]), by: world.handler, in: world.context)
        _ = try await UnshareCaseDocument.run(.init(caseNumber: caseA.number, fileId: report.id!), by: world.handler, in: world.context)
        try await reachFirstInspection(caseA)
        let shared = try await AutoShareReports.run(in: world.context)
        XCTAssertEqual(shared, 0)
        let value7 = try await reload(report).isShared
        XCTAssertEqual(value7, false)
        // Staff may still share it by hand.
        let byHand = try await ShareCaseDocuments.run(.init(caseNumber: caseA.number, fileIds: [report.id!]), by: world.handler,
                                                      in: world.context)
        XCTAssertEqual(byHand, 1)
    }

    func testRoundsAtTheSameTimeShareEachReportExactlyOnce() async throws {
        try await makeClaim(caseA)
        try await makeClaim(world.caseB)
        try await settings(inspection: .firstInspection, settlement: .firstInspection)
        var reports: [StoredFileRecord] = []
        for n in 0..<3 { reports.append(try await upload("a\(n).pdf", .inspectionReport)) }
        for n in 0..<2 { reports.append(try await upload("b\(n).pdf", .settlementReport, on: world.caseB)) }
        try await reachFirstInspection(caseA)
        try await reachFirstInspection(world.caseB)
        let context = world.context
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { try await AutoShareReports.run(in: context) } }
            return try await group.reduce(0, +)
        }
        XCTAssertEqual(total, 5, "every report shared by exactly one round")
        let eventsA = try await events(.documentShared)
        let eventsB = try await events(.documentShared, of: world.caseB)
        XCTAssertEqual(eventsA.count, 3)
        XCTAssertEqual(eventsB.count, 2)
        for report in reports { let value8 = try await reload(report).isShared
 XCTAssertEqual(value8, true) }
    }

    func testADocumentEditedIntoADueReportIsSharedAtOnce() async throws {
        try await makeClaim(caseA)
        try await settings(inspection: .atCreation)
        let file = try await upload("rapport.pdf", .other)
        let value0 = try await reload(file).isShared
        XCTAssertEqual(value0, false)
        let edited = try await EditCaseDocument.run(.init(caseNumber: caseA.number, fileId: file.id!, category: "inspection_report",
                                                          title: "Besiktning"), by: world.handler, in: world.context)
        XCTAssertNotNil(edited.value)
        let value1 = try await reload(file).isShared
        XCTAssertEqual(value1, true)
        let shared = try await events(.documentShared)
        XCTAssertEqual(shared.map(\.event), [.documentShared(name: "Besiktning")])
    }

    // MARK: Budget

    func testABudgetLineIsRoundedOnceAndTheTotalIsTheSumOfRoundedLines() async throws {
        XCTAssertEqual(BudgetLines.amount(quantity: Quantity.parse("2,5")!, unitPrice: Money.parse("10,01")!), Money(minor: 2503),
                       "25,025 rounds half away from zero to 25,03")
        for _ in 0..<3 {
            let outcome = try await AddBudgetLine.run(caseNumber: caseA.number, .init(description: "Skruv", quantity: "0,333",
                                                                                      unitPrice: "0,10"),
                                                      by: world.handler, in: world.context)
            XCTAssertNotNil(outcome.value)
        }
        let budget = BudgetLines(database: db)
        var lines = try await budget.lines(caseId: caseA.id!)
        XCTAssertEqual(lines.map(\.amountMinor), [3, 3, 3], "0,0333 → 0,03 each")
        XCTAssertEqual(lines.map(\.position), [1, 2, 3])
        var total = try await budget.total(caseId: caseA.id!)
        XCTAssertEqual(total, Money(minor: 9), "the sum of rounded lines, not the rounded sum (10)")

        let edited = try await EditBudgetLine.run(caseNumber: caseA.number, lineId: lines[0].id!,
                                                  .init(description: "Arbete", quantity: "1,5", unitPrice: "450"),
                                                  by: world.handler, in: world.context)
        XCTAssertNotNil(edited.value)
        _ = try await RemoveBudgetLine.run(caseNumber: caseA.number, lineId: lines[1].id!, by: world.handler, in: world.context)
        do {
            _ = try await RemoveBudgetLine.run(caseNumber: caseA.number, lineId: lines[1].id!, by: world.handler, in: world.context)
            XCTFail("a second removal finds nothing to delete")
        } catch OperationError.notFound {}
        lines = try await budget.lines(caseId: caseA.id!)
        XCTAssertEqual(lines.map(\.description), ["Arbete", "Skruv"])
        XCTAssertEqual(lines.first?.quantityMilli, 1500)
        XCTAssertEqual(lines.first?.amountMinor, 67500)
        total = try await budget.total(caseId: caseA.id!)
        XCTAssertEqual(total, Money(minor: 67503))
        XCTAssertEqual(total.formatted(.sv), "675,03")
        XCTAssertEqual(total.formatted(.en), "675.03")

        // Every change is on the timeline, for staff only: what the line was after it (before it, when removed).
        let added = try await events(.budgetLineAdded), changed = try await events(.budgetLineChanged)
        let removed = try await events(.budgetLineRemoved)
        XCTAssertEqual(added.map(\.event), Array(repeating: .budgetLineAdded(description: "Skruv", amount: "0.03"), count: 3))
        XCTAssertEqual(changed.map(\.event), [.budgetLineChanged(description: "Arbete", amount: "675.00")])
        XCTAssertEqual(removed.map(\.event), [.budgetLineRemoved(description: "Skruv", amount: "0.03")])
        XCTAssertEqual(Set((added + changed + removed).map(\.audience)), [.staff], "the budget is not the customer's news")
        // Saving a line unchanged records nothing.
        _ = try await EditBudgetLine.run(caseNumber: caseA.number, lineId: lines[0].id!,
                                         .init(description: "Arbete", quantity: "1,5", unitPrice: "450"),
                                         by: world.handler, in: world.context)
        let changedAgain = try await events(.budgetLineChanged)
        XCTAssertEqual(changedAgain.count, 1)
    }

    func testBudgetInputProblemsAreNamedPerField() async throws {
        let outcome = try await AddBudgetLine.run(caseNumber: caseA.number, .init(description: " ", quantity: "1,2345", unitPrice: "abc"),
                                                  by: world.handler, in: world.context)
        let problems = try XCTUnwrap(outcome.problems)
        XCTAssertEqual(problems[.description], ProblemKey.required)
        XCTAssertEqual(problems[.quantity], "budget_error_quantity")
        XCTAssertEqual(problems[.unitPrice], "budget_error_price")
        let empty = try await AddBudgetLine.run(caseNumber: caseA.number, .init(description: "x", quantity: "", unitPrice: ""),
                                                by: world.handler, in: world.context)
        XCTAssertEqual(empty.problems?[.quantity], ProblemKey.required)
        XCTAssertEqual(empty.problems?[.unitPrice], ProblemKey.required)
        let lines = try await BudgetLines(database: db).lines(caseId: caseA.id!)
        XCTAssertTrue(lines.isEmpty)
        let recorded = try await events(.budgetLineAdded)
        XCTAssertTrue(recorded.isEmpty, "refused input records nothing")
        do {
            _ = try await RemoveBudgetLine.run(caseNumber: world.caseB.number, lineId: 12345, by: world.handler, in: world.context)
            XCTFail("no such line")
        } catch OperationError.notFound {}
    }
}
