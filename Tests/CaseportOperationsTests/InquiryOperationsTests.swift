import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// D2 below HTTP: an inquiry becomes one case, once, with its notices and the supplier's event.
final class InquiryOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
        var texts = OperationWorld.texts
        for key in ["mail_inquiry_accepted_subject", "mail_inquiry_accepted_body", "mail_supplier_assigned_subject",
                    "mail_supplier_assigned_body"] { texts[key] = "\(key) {number}" }
        world.context.notifications.translations = Translations(tables: [.sv: texts, .en: texts])
    }

    override func tearDown() async throws { await harness.shutdown() }

    func inquiry() async throws -> Int {
        var new = NewCase(subject: "Stopp i avloppet", description: "Köket", createdByName: "Anna Test", origin: .portal)
        new.createdByUserId = world.anna.userId
        return try await Inquiries(database: world.db).submit(new, senderEmail: "anna@example.com", senderPhone: nil).requireID()
    }

    func input(_ id: Int, supplier: ChosenId = .none, notifyCustomer: Bool = true, notifySupplier: Bool = false,
               senderName: String = "Anna Test") -> CaseFromInquiry.Input {
        CaseFromInquiry.Input(inquiryId: id, subject: "Stopp i avloppet", description: "Köket", category: .none, type: .none,
                              priority: .none, handler: .none, supplier: supplier, customer: .none, object: .none,
                              workSiteAddress: "Gatan 1", referenceName: "", senderName: senderName, senderEmail: "anna@example.com",
                              senderPhone: "", notifyCustomer: notifyCustomer, notifySupplier: notifySupplier, language: .en)
    }

    func testAnInquiryBecomesOneCaseWithNoticesAndTheSuppliersEventAndASecondSubmitIsRefused() async throws {
        let supplier = SupplierRecord(name: "Rör AB", email: "ror@example.com")
        try await supplier.create(on: world.db)
        let id = try await inquiry()
        let outcome = try await CaseFromInquiry.run(input(id, supplier: .id(supplier.id!), notifySupplier: true),
                                                    by: world.handler, in: world.context)
        let number = try XCTUnwrap(outcome.value)
        let found = try await CaseRecord.query(on: world.db).filter(\.$number == number).first()
        let record = try XCTUnwrap(found)
        XCTAssertEqual(record.supplierId, supplier.id)
        let notices = try await world.outbox(of: record).map(\.recipient)
        XCTAssertEqual(Set(notices), ["anna@example.com", "ror@example.com"])
        let events = try await world.events(of: record).map(\.event)
        XCTAssertEqual(Set(events), [.createdFromInquiry, .supplierChanged(before: nil, after: "Rör AB")])
        do {
            _ = try await CaseFromInquiry.run(input(id), by: world.handler, in: world.context)
            XCTFail("an inquiry makes one case")
        } catch let error as OperationError {
            XCTAssertEqual(error, .alreadyDone)
        }
        let cases = try await CaseRecord.query(on: world.db).count()
        XCTAssertEqual(cases, 3)
    }

    func testProblemsKeepTheInquiryNew() async throws {
        let id = try await inquiry()
        let outcome = try await CaseFromInquiry.run(input(id, notifySupplier: true, senderName: " "), by: world.handler, in: world.context)
        XCTAssertEqual(outcome.problems?[.senderName], ProblemKey.required)
        XCTAssertEqual(outcome.problems?[.notifySupplier], "inbox_error_no_supplier")
        let status = try await InquiryRecord.find(id, on: world.db)?.status
        XCTAssertEqual(status, .new)
    }

    func testTheCaseFieldsAreCheckedAsOnTheCasePage() async throws {
        let id = try await inquiry()
        var tampered = input(id)
        tampered.subject = String(repeating: "x", count: InputLimits.subject + 1)
        (tampered.category, tampered.type, tampered.priority, tampered.handler) = (.invalid, .id(9_999), .id(9_999), .invalid)
        (tampered.supplier, tampered.customer) = (.id(9_999), .id(9_999))
        tampered.object = .id(world.caseB.objectId!)
        tampered.customer = ChosenId(world.caseA.customerId)
        let problems = try await CaseFromInquiry.run(tampered, by: world.handler, in: world.context).problems
        XCTAssertEqual(problems?.messages, [
            .subject: ProblemKey.tooLong, .category: ProblemKey.chooseFromList, .type: ProblemKey.chooseFromList,
            .priority: ProblemKey.chooseFromList, .handler: ProblemKey.chooseFromList, .supplier: ProblemKey.chooseFromList,
            .object: "new_case_error_object_customer",
        ])
        let status = try await InquiryRecord.find(id, on: world.db)?.status
        XCTAssertEqual(status, .new)
    }

    func testSeveralAtOnceSkipWhatIsAlreadyProcessed() async throws {
        let first = try await inquiry(), second = try await inquiry()
        let category = CategoryRecord(name: "Garantiärende")
        try await category.create(on: world.db)
        _ = try await CaseFromInquiry.run(input(first), by: world.handler, in: world.context)
        let created = try await ProcessInquiries.run(ids: [first, second], .createCases(warrantyCategoryId: category.id!,
                                                                                      notifyCustomer: false, language: .en),
                                                     by: world.handler, in: world.context)
        XCTAssertEqual(created, 1)
        let warranty = try await CaseRecord.query(on: world.db).filter(\.$categoryId == category.id!).all()
        XCTAssertEqual(warranty.count, 1)
        // A case made in bulk has its creation event like one made alone (D3).
        let events = try await world.events(of: try XCTUnwrap(warranty.first))
        XCTAssertEqual(events.map(\.event), [.createdFromInquiry])
        XCTAssertEqual(events.first?.actor.staffId, world.handler.staffId)
    }
}
