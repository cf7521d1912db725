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

    /// Issue 12: the supplier's mail and SMS are in the supplier's language (M030), not the staff member's
    /// (the input says English); a supplier with no language gets the deployment's (Swedish).
    func testTheSupplierIsWrittenToInTheSuppliersLanguage() async throws {
        var tables: [Language: [String: String]] = [:]
        for language in Language.allCases {
            var texts = OperationWorld.texts
            for key in ["mail_inquiry_accepted_subject", "mail_inquiry_accepted_body", "mail_supplier_assigned_subject",
                        "mail_supplier_assigned_body", "sms_supplier_assigned"] { texts[key] = "\(language.rawValue) \(key) {number}" }
            tables[language] = texts
        }
        world.context.notifications.translations = Translations(tables: tables)
        let danish = SupplierRecord(name: "VVS ApS", email: "vvs@example.dk", language: "da")
        let unset = SupplierRecord(name: "Rör AB", email: "ror@example.com")
        try await danish.create(on: world.db)
        try await unset.create(on: world.db)
        for (supplier, expected) in [(danish, "da"), (unset, "sv")] {
            let id = try await inquiry()
            let outcome = try await CaseFromInquiry.run(input(id, supplier: .id(supplier.id!), notifySupplier: true),
                                                        by: world.handler, in: world.context)
            let number = try XCTUnwrap(outcome.value)
            let found = try await CaseRecord.query(on: world.db).filter(\.$number == number).first()
            let record = try XCTUnwrap(found)
            let mails = try await world.outbox(of: record)
            let toSupplier = try XCTUnwrap(mails.first { $0.recipient == supplier.email })
            XCTAssertEqual(toSupplier.language, expected)
            XCTAssertTrue(toSupplier.subject.hasPrefix("\(expected) mail_supplier_assigned_subject"), toSupplier.subject)
            let toCustomer = try XCTUnwrap(mails.first { $0.recipient == "anna@example.com" })
            XCTAssertNotEqual(toCustomer.language, "da", "the customer's language is not the supplier's")
        }
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
        let created = try await ProcessInquiries.run(ids: [first, second], .createCases(notifyCustomer: false, language: .en),
                                                     by: world.handler, in: world.context)
        XCTAssertEqual(created, 1)
        let warranty = try await CaseRecord.query(on: world.db).filter(\.$categoryId == category.id!).all()
        XCTAssertEqual(warranty.count, 1)
        // A case made in bulk has its creation event like one made alone (D3).
        let events = try await world.events(of: try XCTUnwrap(warranty.first))
        XCTAssertEqual(events.map(\.event), [.createdFromInquiry])
        XCTAssertEqual(events.first?.actor.staffId, world.handler.staffId)
    }

    func testTheWarrantyCategoryIsFoundByNameOrMadeOnceAndRemembered() async throws {
        let first = try await inquiry(), second = try await inquiry()
        var admin = world.handler
        admin.isAdmin = true
        _ = try await ProcessInquiries.run(ids: [first], .createCases(notifyCustomer: false, language: .en), by: admin, in: world.context)
        let categories = try await CategoryRecord.query(on: world.db).all()
        XCTAssertEqual(categories.map(\.name), ["Garantiärende"], "made in the staff member's language")
        let remembered = try await SettingsStore(database: world.db).load().warrantyCategoryId
        XCTAssertEqual(remembered, categories.first?.id)
        let audit = try await AuditEventRecord.query(on: world.db).all()
        XCTAssertEqual(audit.map(\.details), ["categories added: – → Garantiärende"])
        // The next bulk run files under the remembered category and makes no other.
        _ = try await ProcessInquiries.run(ids: [second], .createCases(notifyCustomer: false, language: .en), by: admin, in: world.context)
        let categoryCount = try await CategoryRecord.query(on: world.db).count()
        XCTAssertEqual(categoryCount, 1)
        let filed = try await CaseRecord.query(on: world.db).filter(\.$categoryId == remembered).count()
        XCTAssertEqual(filed, 2)
    }

    // MARK: Issue 11, point 17

    func switchSMSOn() async throws {
        var settings = try await SettingsStore(database: world.db).load()
        settings.smsEnabled = true
        try await SettingsStore(database: world.db).save(settings)
    }

    func channels(ofCase number: Int) async throws -> [String] {
        let record = try await CaseRecord.query(on: world.db).filter(\.$number == number).first()
        return try await world.outbox(of: try XCTUnwrap(record)).map { "\($0.channel) \($0.recipient)" }.sorted()
    }

    func testSMSGoesOnlyWhenTheSaveSwitchesItOn() async throws {
        try await switchSMSOn()
        let quiet = try await inquiry(), loud = try await inquiry()
        var withoutSMS = input(quiet)
        withoutSMS.senderPhone = "+4670111"
        let firstOutcome = try await CaseFromInquiry.run(withoutSMS, by: world.handler, in: world.context)
        let first = try XCTUnwrap(firstOutcome.value)
        let firstChannels = try await channels(ofCase: first)
        XCTAssertEqual(firstChannels, ["email anna@example.com"], "SMS on in the settings is not enough: the save must ask for it")
        var withSMS = input(loud)
        withSMS.senderPhone = "+4670111"
        withSMS.sendSms = true
        let secondOutcome = try await CaseFromInquiry.run(withSMS, by: world.handler, in: world.context)
        let second = try XCTUnwrap(secondOutcome.value)
        let secondChannels = try await channels(ofCase: second)
        XCTAssertEqual(secondChannels, ["email anna@example.com", "sms +4670111"])
    }

    func testTheSMSSwitchDoesNothingWhenTheDeploymentHasNoSMS() async throws {
        let id = try await inquiry()
        var withSMS = input(id)
        withSMS.senderPhone = "+4670111"
        withSMS.sendSms = true
        let outcome = try await CaseFromInquiry.run(withSMS, by: world.handler, in: world.context)
        let number = try XCTUnwrap(outcome.value)
        let sent = try await channels(ofCase: number)
        XCTAssertEqual(sent, ["email anna@example.com"])
    }

    func testSeveralAtOnceSendSMSOnlyWhenAsked() async throws {
        try await switchSMSOn()
        func phoneInquiry() async throws -> Int {
            var new = NewCase(subject: "Droppar", description: "Badrum", createdByName: "Anna Test", origin: .portal)
            new.createdByUserId = world.anna.userId
            return try await Inquiries(database: world.db).submit(new, senderEmail: "anna@example.com", senderPhone: "+4670222").requireID()
        }
        let first = try await phoneInquiry(), second = try await phoneInquiry()
        _ = try await ProcessInquiries.run(ids: [first], .createCases(notifyCustomer: true, language: .en), by: world.handler, in: world.context)
        _ = try await ProcessInquiries.run(ids: [second], .createCases(notifyCustomer: true, language: .en, sendSms: true),
                                           by: world.handler, in: world.context)
        let sms = try await OutboxRecord.query(on: world.db).filter(\.$channel == "sms").all()
        let secondCase = try await InquiryRecord.find(second, on: world.db)?.caseId
        XCTAssertEqual(sms.map(\.caseId), [secondCase])
    }

    func testAHandlersInboxCanBeLimitedToTheirCustomersAndObjects() async throws {
        let other = StaffUserRecord(email: "other@example.com", name: "Olle", role: .handler, passwordHash: "x")
        try await other.create(on: world.db)
        func submit(_ subject: String, customer: Int?, object: Int?) async throws -> Int {
            var new = NewCase(subject: subject, description: "", createdByName: "Anna Test", origin: .portal)
            (new.customerId, new.objectId) = (customer, object)
            return try await Inquiries(database: world.db).submit(new, senderEmail: nil, senderPhone: nil).requireID()
        }
        let (customerA, objectA) = (world.caseA.customerId!, world.caseA.objectId!)
        let (customerB, objectB) = (world.caseB.customerId!, world.caseB.objectId!)
        // Customer A is the handler's; of customer B only object B is; the other handler has nothing of B.
        var customer = try await CustomerRecord.find(customerA, on: world.db)!
        let assignCustomer = try await SaveCustomer.run(.init(customerId: customerA, name: customer.name, shortCode: customer.shortCode,
                                                              customerNumber: customer.customerNumber, singleUser: false, isActive: true,
                                                              handler: .id(world.handler.staffId)), by: world.handler, in: world.context)
        XCTAssertNotNil(assignCustomer.value)
        let object = try await ObjectRecord.find(objectB, on: world.db)!
        let assignObject = try await SaveObject.run(.init(objectId: objectB, name: object.name, address: object.address, customerNumber: "2",
                                                          isActive: true, handler: .id(world.handler.staffId)), by: world.handler, in: world.context)
        XCTAssertNotNil(assignObject.value)
        customer = try await CustomerRecord.find(customerA, on: world.db)!
        XCTAssertEqual(customer.handlerId, world.handler.staffId)
        let ofA = try await submit("customer A", customer: customerA, object: nil)
        let ofObjectA = try await submit("object A", customer: customerA, object: objectA)
        let ofObjectB = try await submit("object B", customer: customerB, object: objectB)
        _ = try await submit("customer B only", customer: customerB, object: nil)
        _ = try await submit("nobody's", customer: nil, object: nil)
        let inquiries = Inquiries(database: world.db)
        let mine = try await inquiries.waiting(limit: 50, assignedTo: world.handler.staffId).map(\.id!)
        XCTAssertEqual(Set(mine), [ofA, ofObjectA, ofObjectB])
        let mineCount = try await inquiries.countNew(assignedTo: world.handler.staffId)
        XCTAssertEqual(mineCount, 3)
        let others = try await inquiries.waiting(limit: 50, assignedTo: try other.requireID())
        XCTAssertEqual(others.count, 0)
        let all = try await inquiries.countNew(assignedTo: nil)
        XCTAssertEqual(all, 5, "without a handler, every unprocessed inquiry")
        // The assignment is an audit line like any master-data change.
        let audit = try await AuditEventRecord.query(on: world.db).all().compactMap(\.details)
        XCTAssertTrue(audit.contains { $0.contains("handler:  → \(world.handler.staffId)") }, "\(audit)")
    }

    func testOnlyAnActiveStaffMemberCanBeAssignedAndNilKeepsTheAssignment() async throws {
        let gone = StaffUserRecord(email: "gone@example.com", name: "Gone", role: .handler, passwordHash: "x")
        gone.isActive = false
        try await gone.create(on: world.db)
        let id = world.caseA.customerId!
        func save(_ handler: ChosenId?) async throws -> Outcome<SaveCustomer.Saved, SaveCustomer.Field> {
            try await SaveCustomer.run(.init(customerId: id, name: "Brf Solgläntan", shortCode: "sol", customerNumber: "1", singleUser: false,
                                             isActive: true, handler: handler), by: world.handler, in: world.context)
        }
        let inactive = try await save(.id(try gone.requireID())).problems
        XCTAssertEqual(inactive?[.handler], ProblemKey.chooseFromList)
        let unknown = try await save(.id(9_999)).problems
        XCTAssertEqual(unknown?[.handler], ProblemKey.chooseFromList)
        let tampered = try await save(.invalid).problems
        XCTAssertEqual(tampered?[.handler], ProblemKey.chooseFromList)
        let assigned = try await save(.id(world.handler.staffId)), unchanged = try await save(nil)
        XCTAssertNotNil(assigned.value)
        XCTAssertNotNil(unchanged.value)
        let kept = try await CustomerRecord.find(id, on: world.db)?.handlerId
        XCTAssertEqual(kept, world.handler.staffId, "nil leaves the handler as it was")
        let clearing = try await save(ChosenId.none)
        XCTAssertNotNil(clearing.value)
        let cleared = try await CustomerRecord.find(id, on: world.db)?.handlerId
        XCTAssertNil(cleared)
    }
}
