import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Issue 14 points 1–3 below HTTP, on both databases: the price list, booked rows (price copied at
/// booking), work orders (draft → sent → accepted → done, events), invoice specifications (frozen
/// copies; only users of contacts linked to the customer answer; approved is final), the reminder.
final class MoneyOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!
    var admin: StaffActor!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
        let record = StaffUserRecord(email: "admin@example.com", name: "Maria Admin", role: .admin, passwordHash: "x")
        try await record.create(on: harness.database)
        admin = StaffActor(staffId: try record.requireID(), name: record.name, isAdmin: true)
    }

    override func tearDown() async throws { await harness.shutdown() }

    var db: any Database { world.db }

    func article(_ code: String = "ARB-01", price: String = "450", vat: String = "25", type: String = "work") async throws -> Int {
        let outcome = try await SaveArticle.run(.init(articleId: nil, code: code, name: "Arbete \(code)", unit: "h", type: type,
                                                      price: price, vatRate: vat), by: admin, in: world.context)
        return try XCTUnwrap(outcome.value, "\(String(describing: outcome.problems))")
    }

    func book(_ articleId: Int, _ quantity: String, on record: CaseRecord? = nil, workOrder: Int? = nil) async throws -> Int {
        let outcome = try await BookArticleRow.run(.init(caseNumber: (record ?? world.caseA).number, article: .id(articleId),
                                                         workOrder: ChosenId(workOrder), quantity: quantity),
                                                   by: world.handler, in: world.context)
        return try XCTUnwrap(outcome.value, "\(String(describing: outcome.problems))").rowId
    }

    /// A portal user whose contact is linked to `customerId` (or only to an object).
    func contactUser(_ name: String, customerId: Int?, objectId: Int? = nil) async throws -> PortalActor {
        let contact = ContactRecord(firstName: name, lastName: "Kontakt", email: "\(name.lowercased())@example.com")
        try await contact.create(on: db)
        if let customerId { try await ContactCustomerLink(contactId: try contact.requireID(), customerId: customerId).create(on: db) }
        if let objectId { try await ContactObjectLink(contactId: try contact.requireID(), objectId: objectId).create(on: db) }
        let user = PortalUserRecord(organisationId: customerId ?? world.caseA.customerId!, username: name.lowercased(), loginKind: .contact,
                                    contactId: try contact.requireID(), firstName: name, lastName: "Kontakt",
                                    email: "\(name.lowercased())@example.com", passwordHash: "x")
        try await user.create(on: db)
        return try PortalActor(user: user, viewer: try await PortalViewers.viewer(for: user, on: db))
    }

    // MARK: Point 1: price list and rows

    func testOnlyAdministratorsKeepThePriceListAndEveryChangeIsAudited() async throws {
        do {
            _ = try await SaveArticle.run(.init(articleId: nil, code: "X", name: "X", unit: "h", type: "work", price: "1", vatRate: "25"),
                                          by: world.handler, in: world.context)
            XCTFail("a handler may not change the price list")
        } catch OperationError.forbidden {}
        let id = try await article(price: "450")
        _ = try await SaveArticle.run(.init(articleId: id, code: "ARB-01", name: "Arbete ARB-01", unit: "h", type: "work",
                                            price: "495,50", vatRate: "25", isActive: true), by: admin, in: world.context)
        let lines = try await AuditEventRecord.query(on: db).filter(\.$action == AuditAction.settingsChanged.rawValue).all()
        XCTAssertTrue(lines.contains { $0.details == "price: 450.00 → 495.50" }, lines.map { $0.details ?? "" }.joined(separator: "; "))
        let problems = try await SaveArticle.run(.init(articleId: nil, code: "ARB-01", name: "", unit: "h", type: "gold",
                                                       price: "12,345", vatRate: "250"), by: admin, in: world.context).problems
        XCTAssertEqual(problems?[.code], "price_list_error_code_taken")
        XCTAssertEqual(problems?[.name], ProblemKey.required)
        XCTAssertEqual(problems?[.type], ProblemKey.chooseFromList)
        XCTAssertEqual(problems?[.price], "money_error_amount")
        XCTAssertEqual(problems?[.vatRate], "money_error_vat_rate")
        let codes = try await SaveActionCode.run(.init(actionCodeId: nil, code: "REP", name: "Reparation"), by: admin, in: world.context)
        XCTAssertNotNil(codes.value)
    }

    func testTheActionsColumnsAreTheAdministratorsChoiceInTheirFixedOrder() async throws {
        do {
            _ = try await SaveActionColumns.run([.gross], by: world.handler, in: world.context)
            XCTFail("a handler may not change the settings")
        } catch OperationError.forbidden {}
        let none = try await SaveActionColumns.run([], by: admin, in: world.context)
        XCTAssertEqual(none.problems?[.columns], "price_list_error_no_columns")
        let saved = try await SaveActionColumns.run([.gross, .article, .actionCode], by: admin, in: world.context)
        XCTAssertEqual(saved.value, 1)
        let settings = try await SettingsStore(database: db).load()
        XCTAssertEqual(settings.actionColumns, [.actionCode, .article, .gross])
        let lines = try await AuditEventRecord.query(on: db).filter(\.$action == AuditAction.settingsChanged.rawValue).all()
        XCTAssertTrue(lines.contains { $0.details?.hasPrefix("action columns: ") == true })
        let again = try await SaveActionColumns.run([.gross, .article, .actionCode], by: admin, in: world.context)
        XCTAssertEqual(again.value, 0, "nothing changed, nothing written")
    }

    func testABookedRowCopiesThePriceAndAPriceChangeLeavesItAlone() async throws {
        let id = try await article(price: "449,99")
        let rowId = try await book(id, "1,5")
        let row = try await ArticleRowRecord.find(rowId, on: db)
        XCTAssertEqual(row?.unitPriceMinor, 44_999)
        XCTAssertEqual(row?.quantityMilli, 1_500)
        XCTAssertEqual(row?.netMinor, 67_499, "674,985 rounds half away from zero")
        XCTAssertEqual(row?.vatMinor, 16_875)
        XCTAssertEqual(row?.grossMinor, 84_374)
        XCTAssertEqual(row?.articleType, "work")
        let events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.first?.event, .articleRowBooked(article: "ARB-01 Arbete ARB-01", quantity: "1.5", workOrder: nil))
        XCTAssertEqual(events.first?.audience, .staff)

        _ = try await SaveArticle.run(.init(articleId: id, code: "ARB-01", name: "Arbete ARB-01", unit: "h", type: "work",
                                            price: "600", vatRate: "12", isActive: true), by: admin, in: world.context)
        let after = try await ArticleRowRecord.find(rowId, on: db)
        XCTAssertEqual(after?.unitPriceMinor, 44_999, "a price change leaves booked rows alone")
        XCTAssertEqual(after?.vatRateBasisPoints, 2_500)
        XCTAssertEqual(after?.grossMinor, 84_374)
        let newer = try await ArticleRowRecord.find(try await book(id, "1"), on: db)
        XCTAssertEqual(newer?.unitPriceMinor, 60_000, "a new booking takes the new price")
        XCTAssertEqual(newer?.vatMinor, 7_200)
    }

    func testBookingProblemsWriteNothing() async throws {
        let id = try await article()
        let orderBOutcome = try await SaveWorkOrder.run(.init(caseNumber: world.caseB.number, type: "repair", supplier: .none,
                                                                      title: "B"), by: world.handler, in: world.context)
        let orderB = try XCTUnwrap(orderBOutcome.value)
        let outcome = try await BookArticleRow.run(.init(caseNumber: world.caseA.number, article: .id(id), workOrder: .id(orderB.workOrderId),
                                                         quantity: "1,2345", bookedOn: "2026-02-30"), by: world.handler, in: world.context)
        let problems = try XCTUnwrap(outcome.problems)
        XCTAssertEqual(problems[.quantity], "money_error_quantity")
        XCTAssertEqual(problems[.workOrder], ProblemKey.chooseFromList, "another case's work order")
        XCTAssertEqual(problems[.bookedOn], "form_invalid_date")
        let none = try await BookArticleRow.run(.init(caseNumber: world.caseA.number, article: .none, quantity: "0"),
                                                by: world.handler, in: world.context).problems
        XCTAssertEqual(none?[.article], ProblemKey.required)
        XCTAssertEqual(none?[.quantity], "money_error_quantity")
        let count = try await ArticleRowRecord.query(on: db).count()
        XCTAssertEqual(count, 0)
        do {
            _ = try await BookArticleRow.run(.init(caseNumber: 99_999, article: .id(id), quantity: "1"), by: world.handler, in: world.context)
            XCTFail("no such case")
        } catch OperationError.notFound {}
    }

    func testRemovingARowWritesAnEventAndARowOnASpecificationStays() async throws {
        let id = try await article()
        let free = try await book(id, "1"), held = try await book(id, "2")
        _ = try await RemoveArticleRow.run(caseNumber: world.caseA.number, rowId: free, by: world.handler, in: world.context)
        let gone = try await ArticleRowRecord.find(free, on: db)
        XCTAssertNil(gone)
        let events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.first?.event, .articleRowRemoved(article: "ARB-01 Arbete ARB-01", quantity: "1"))
        _ = try await CreateSpecification.run(.init(customerId: world.caseA.customerId!, title: "Dec", rowIds: [held]),
                                              by: world.handler, in: world.context)
        do {
            _ = try await RemoveArticleRow.run(caseNumber: world.caseA.number, rowId: held, by: world.handler, in: world.context)
            XCTFail("a specified row stays")
        } catch OperationError.notAllowedNow {}
        do {
            _ = try await RemoveArticleRow.run(caseNumber: world.caseB.number, rowId: held, by: world.handler, in: world.context)
            XCTFail("not a row of that case")
        } catch OperationError.notFound {}
    }

    // MARK: Point 2: work orders

    func testAWorkOrderMovesDraftSentAcceptedDoneAndEveryChangeIsAnEvent() async throws {
        let supplier = SupplierRecord(name: "Rörläggarna")
        try await supplier.create(on: db)
        let createdOutcome = try await SaveWorkOrder.run(
            .init(caseNumber: world.caseA.number, type: "repair", supplier: .id(try supplier.requireID()), title: "Byt blandare",
                  plannedStart: "2026-12-07", plannedEnd: "2026-12-08"), by: world.handler, in: world.context)
        let created = try XCTUnwrap(createdOutcome.value)
        let id = created.workOrderId
        var order = try await WorkOrderRecord.find(id, on: db)
        XCTAssertEqual(order?.state, "draft")
        XCTAssertEqual(order?.supplierId, supplier.id)

        let refused = try await ChangeWorkOrderState.run(caseNumber: world.caseA.number, workOrderId: id, to: .done, version: 1,
                                                         by: world.handler, in: world.context)
        XCTAssertEqual(refused.problems?[.state], "work_order_error_transition")
        var version = 1
        for step in [WorkOrderState.sent, .accepted, .done] {
            let moved = try await ChangeWorkOrderState.run(caseNumber: world.caseA.number, workOrderId: id, to: step, version: version,
                                                           by: world.handler, in: world.context)
            XCTAssertNotNil(moved.value, "\(step)")
            version += 1
        }
        order = try await WorkOrderRecord.find(id, on: db)
        XCTAssertEqual(order?.state, "done")
        XCTAssertNotNil(order?.doneUnix)
        let back = try await ChangeWorkOrderState.run(caseNumber: world.caseA.number, workOrderId: id, to: .draft, version: version,
                                                      by: world.handler, in: world.context)
        XCTAssertEqual(back.problems?[.state], "work_order_error_transition")
        do {
            _ = try await SaveWorkOrder.run(.init(caseNumber: world.caseA.number, workOrderId: id, version: version, type: "repair",
                                                  supplier: .none, title: "Ändrad"), by: world.handler, in: world.context)
            XCTFail("a done work order takes no edits")
        } catch OperationError.notAllowedNow {}
        let kinds = try await world.events(of: world.caseA).map(\.event)
        XCTAssertTrue(kinds.contains(.workOrderCreated(workOrder: id, title: "Byt blandare")))
        XCTAssertTrue(kinds.contains(.workOrderStateChanged(workOrder: id, from: .draft, to: .sent)))
        XCTAssertTrue(kinds.contains(.workOrderStateChanged(workOrder: id, from: .accepted, to: .done)))
        // A done order takes no more rows.
        let articleId = try await article()
        let late = try await BookArticleRow.run(.init(caseNumber: world.caseA.number, article: .id(articleId), workOrder: .id(id), quantity: "1"),
                                                by: world.handler, in: world.context)
        XCTAssertEqual(late.problems?[.workOrder], "work_order_error_done")
    }

    func testAWorkOrderEditFromAnOlderPageIsRefused() async throws {
        let createdOutcome = try await SaveWorkOrder.run(.init(caseNumber: world.caseA.number, type: "inspection", supplier: .none,
                                                                      title: "Tak"), by: world.handler, in: world.context)
        let created = try XCTUnwrap(createdOutcome.value)
        let edited = try await SaveWorkOrder.run(.init(caseNumber: world.caseA.number, workOrderId: created.workOrderId, version: 1,
                                                       type: "inspection", supplier: .none, title: "Tak och hängrännor"),
                                                 by: world.handler, in: world.context)
        XCTAssertNotNil(edited.value)
        let events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.first?.event, .workOrderChanged(workOrder: created.workOrderId, title: "Tak och hängrännor"))
        do {
            _ = try await SaveWorkOrder.run(.init(caseNumber: world.caseA.number, workOrderId: created.workOrderId, version: 1,
                                                  type: "inspection", supplier: .none, title: "Gammal"), by: world.handler, in: world.context)
            XCTFail("stale")
        } catch OperationError.stale {}
        let problems = try await SaveWorkOrder.run(.init(caseNumber: world.caseA.number, type: "x", supplier: .invalid, title: " ",
                                                         plannedStart: "2026-12-09", plannedEnd: "2026-12-01"),
                                                   by: world.handler, in: world.context).problems
        XCTAssertEqual(problems?[.type], ProblemKey.chooseFromList)
        XCTAssertEqual(problems?[.supplier], ProblemKey.chooseFromList)
        XCTAssertEqual(problems?[.title], ProblemKey.required)
        XCTAssertEqual(problems?[.plannedEnd], "work_order_error_end_before_start")
    }

    // MARK: Point 3: invoice specifications

    func testASpecificationFreezesRowsAndOnlyTheCustomersContactUsersAnswerIt() async throws {
        let customerA = try XCTUnwrap(world.caseA.customerId)
        let approver = try await contactUser("Greta", customerId: customerA)
        let objectOnly = try await contactUser("Olle", customerId: nil, objectId: world.caseA.objectId)
        let other = try await contactUser("Bodil", customerId: world.caseB.customerId)
        let id = try await article(price: "100")
        let rowA1 = try await book(id, "1"), rowA2 = try await book(id, "2,5")
        let rowB = try await book(id, "1", on: world.caseB)

        let mixed = try await CreateSpecification.run(.init(customerId: customerA, title: "Dec", rowIds: [rowA1, rowB]),
                                                      by: world.handler, in: world.context)
        XCTAssertEqual(mixed.problems?[.rows], "spec_error_rows_changed", "another customer's row")
        let createdOutcome = try await CreateSpecification.run(.init(customerId: customerA, title: "December", rowIds: [rowA1, rowA2]),
                                                                      by: world.handler, in: world.context)
        let created = try XCTUnwrap(createdOutcome.value)
        let spec = try await InvoiceSpecificationRecord.find(created.specificationId, on: db)
        XCTAssertEqual(spec?.rowCount, 2)
        XCTAssertEqual(spec?.netMinor, 35_000)
        XCTAssertEqual(spec?.vatMinor, 8_750)
        XCTAssertEqual(spec?.grossMinor, 43_750)
        let copies = try await InvoiceSpecifications(database: db).rows(specificationId: created.specificationId)
        XCTAssertEqual(copies.map(\.grossMinor).reduce(0, +), spec?.grossMinor)
        XCTAssertEqual(copies.map(\.caseNumber), [world.caseA.number, world.caseA.number])
        let mail = try await OutboxRecord.query(on: db).filter(\.$kind == OutboxKind.specificationWaiting.rawValue).all()
        XCTAssertEqual(mail.map(\.recipient), ["greta@example.com"], "only the customer's contact users are asked")
        let again = try await CreateSpecification.run(.init(customerId: customerA, title: "Igen", rowIds: [rowA1]),
                                                      by: world.handler, in: world.context)
        XCTAssertEqual(again.problems?[.rows], "spec_error_rows_changed", "a row goes on one specification")

        // The access rule: invoice-customer login (world.anna), object-linked contact, another customer's contact → not found.
        for outsider in [world.anna, objectOnly, other] {
            do {
                _ = try await AnswerSpecification.run(specificationId: created.specificationId, answer: .approve, by: outsider,
                                                      in: world.context)
                XCTFail("\(outsider.name) may not answer")
            } catch OperationError.notFound {}
        }
        let approved = try await AnswerSpecification.run(specificationId: created.specificationId, answer: .approve, by: approver,
                                                         in: world.context)
        XCTAssertEqual(approved.value, created.number)
        let answered = try await InvoiceSpecificationRecord.find(created.specificationId, on: db)
        XCTAssertEqual(answered?.state, "approved")
        XCTAssertEqual(answered?.answeredByName, approver.name)
        let events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.first?.event, .specificationApproved(number: created.number))
        XCTAssertEqual(events.first?.audience, .customer)

        // Approved is final: every change is refused, with the reason.
        let twice = try await AnswerSpecification.run(specificationId: created.specificationId, answer: .reject(comment: "Fel"),
                                                      by: approver, in: world.context)
        XCTAssertEqual(twice.problems?[.specification], "spec_error_approved_final")
        let withdrawn = try await WithdrawSpecification.run(specificationId: created.specificationId, by: world.handler, in: world.context)
        XCTAssertEqual(withdrawn.problems?[.specification], "spec_error_approved_final")
        // …and the database refuses too, whatever path writes.
        answered?.title = "Ändrad"
        do {
            try await answered?.save(on: db)
            XCTFail("the database let an approved specification change")
        } catch {}
        let copy = copies[0]
        copy.grossMinor = 1
        do {
            try await copy.save(on: db)
            XCTFail("the database let an approved specification's row change")
        } catch {}
        let unchanged = try await InvoiceSpecificationRecord.find(created.specificationId, on: db)
        XCTAssertEqual(unchanged?.title, "December")
        XCTAssertEqual(unchanged?.grossMinor, 43_750)
    }

    func testRejectingNeedsACommentAndFreesTheRows() async throws {
        let customerA = try XCTUnwrap(world.caseA.customerId)
        let approver = try await contactUser("Greta", customerId: customerA)
        let row = try await book(try await article(), "1")
        let createdOutcome = try await CreateSpecification.run(.init(customerId: customerA, title: "Jan", rowIds: [row]),
                                                                      by: world.handler, in: world.context)
        let created = try XCTUnwrap(createdOutcome.value)
        let empty = try await AnswerSpecification.run(specificationId: created.specificationId, answer: .reject(comment: "  "),
                                                      by: approver, in: world.context)
        XCTAssertEqual(empty.problems?[.comment], "spec_error_comment_required")
        let rejected = try await AnswerSpecification.run(specificationId: created.specificationId, answer: .reject(comment: "Fel timpris"),
                                                         by: approver, in: world.context)
        XCTAssertNotNil(rejected.value)
        let spec = try await InvoiceSpecificationRecord.find(created.specificationId, on: db)
        XCTAssertEqual(spec?.state, "rejected")
        XCTAssertEqual(spec?.answerComment, "Fel timpris")
        let freed = try await ArticleRowRecord.find(row, on: db)
        XCTAssertNil(freed?.specificationId, "a rejected specification's rows may go on a new one")
        let answerAgain = try await AnswerSpecification.run(specificationId: created.specificationId, answer: .approve, by: approver,
                                                            in: world.context)
        XCTAssertEqual(answerAgain.problems?[.specification], "spec_error_already_answered")
        let withdrawn = try await WithdrawSpecification.run(specificationId: created.specificationId, by: world.handler, in: world.context)
        XCTAssertEqual(withdrawn.value, created.number)
        let gone = try await InvoiceSpecificationRecord.find(created.specificationId, on: db)
        XCTAssertNil(gone)
    }

    /// The approval engine reminds once after the reminder time; it never answers for the customer.
    func testTheReminderRoundRemindsOnceAndNeverApproves() async throws {
        let customerA = try XCTUnwrap(world.caseA.customerId)
        _ = try await contactUser("Greta", customerId: customerA)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let early = OperationContext(database: db, clock: { start }, notifications: world.context.notifications)
        let row = try await book(try await article(), "1")
        let createdOutcome = try await CreateSpecification.run(.init(customerId: customerA, title: "Feb", rowIds: [row]),
                                                                      by: world.handler, in: early)
        let created = try XCTUnwrap(createdOutcome.value)
        func reminders() async throws -> Int {
            try await OutboxRecord.query(on: db).filter(\.$kind == OutboxKind.specificationReminder.rawValue).count()
        }
        let fiveDays: TimeInterval = 5 * 86_400
        let tooSoon = OperationContext(database: db, clock: { start.addingTimeInterval(fiveDays - 60) }, notifications: world.context.notifications)
        try await SpecificationReminders.run(reminderAfter: fiveDays, in: tooSoon)
        let none = try await reminders()
        XCTAssertEqual(none, 0)
        for days in [6.0, 30.0, 400.0] {
            let later = OperationContext(database: db, clock: { start.addingTimeInterval(days * 86_400) }, notifications: world.context.notifications)
            try await SpecificationReminders.run(reminderAfter: fiveDays, in: later)
            try await ApprovalRound.run(reminderAfter: fiveDays, in: later)
        }
        let sent = try await reminders()
        XCTAssertEqual(sent, 1)
        let spec = try await InvoiceSpecificationRecord.find(created.specificationId, on: db)
        XCTAssertEqual(spec?.state, "waiting", "nothing about money is approved automatically")
    }
}
