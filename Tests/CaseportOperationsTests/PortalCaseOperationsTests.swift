import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// The portal's case operations, below HTTP, on both databases: each checks the access rule, writes
/// its rows and its event in one transaction, and answers problems without writing anything.
final class PortalCaseOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
    }

    override func tearDown() async throws { await harness.shutdown() }

    func testACustomerMessageWritesMessageHandlerNoticeCopyAndOneCustomerEvent() async throws {
        let input = WriteCustomerMessage.Input(caseNumber: world.caseA.number, body: "  Det droppar igen  ", copyToMe: true,
                                               author: .none, language: .en)
        let written = try await WriteCustomerMessage.run(input, by: world.anna, in: world.context).value
        XCTAssertEqual(written?.caseNumber, world.caseA.number)

        let messages = try await CaseConversation(database: world.db).publicMessages(caseId: world.caseA.id!)
        XCTAssertEqual(messages.map(\.body), ["Det droppar igen"])
        XCTAssertEqual(messages.first?.authorName, "Anna Test")
        let outbox = try await world.outbox(of: world.caseA)
        XCTAssertEqual(Set(outbox.map(\.kind)), ["message_copy", "handler_customer_message"])
        XCTAssertEqual(outbox.first { $0.kind == "handler_customer_message" }?.recipient, world.handlerEmail)
        XCTAssertTrue(outbox.first { $0.kind == "handler_customer_message" }?.body
            .contains("https://portal.example.com/staff/cases/\(world.caseA.number)") ?? false)
        XCTAssertEqual(outbox.first { $0.kind == "message_copy" }?.recipient, "anna@example.com")
        let events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.map(\.event), [.customerMessage])
        XCTAssertEqual(events.first?.audience, .customer)
        XCTAssertEqual(events.first?.actor, EventActor(portalUserId: world.anna.userId, name: "Anna Test"))
        let record = try await world.reload(world.caseA)
        XCTAssertTrue(record.hasUnreadActivity, "the back office sees the customer's message as new (D4)")
    }

    func testAnEmptyOrOverlongMessageIsAProblemAndWritesNothing() async throws {
        for body in ["   ", String(repeating: "x", count: InputLimits.message + 1)] {
            let outcome = try await WriteCustomerMessage.run(
                .init(caseNumber: world.caseA.number, body: body, copyToMe: true, author: .none, language: .en),
                by: world.anna, in: world.context)
            XCTAssertNotNil(outcome.problems?[.body])
        }
        let messageCount = try await CaseMessageRecord.query(on: world.db).count()
        let outboxCount = try await OutboxRecord.query(on: world.db).count()
        let eventCount = try await CaseEventRecord.query(on: world.db).count()
        XCTAssertEqual(messageCount, 0)
        XCTAssertEqual(outboxCount, 0)
        XCTAssertEqual(eventCount, 0)
    }

    func testEveryPortalOperationAnswersNotFoundForAnotherCustomersCase() async throws {
        let other = world.caseB.number
        let attempts: [(String, () async throws -> Void)] = [
            ("message", { _ = try await WriteCustomerMessage.run(.init(caseNumber: other, body: "Hej", copyToMe: false, author: .none,
                                                                       language: .en), by: self.world.anna, in: self.world.context) }),
            ("approval", { _ = try await AnswerApproval.run(.init(caseNumber: other, answer: .approved, language: .en),
                                                            by: self.world.anna, in: self.world.context) }),
            ("classification", { _ = try await ChangeClassification.run(.init(caseNumber: other, expectedVersion: 0, categoryId: nil, priorityId: nil),
                                                                        by: self.world.anna, in: self.world.context) }),
            ("attach", { _ = try await AttachUploadedFiles.run(
                .init(caseNumber: other, files: [.init(storageKey: "k", originalName: "a.pdf", contentType: "application/pdf",
                                                       byteSize: 3)], language: .en),
                by: self.world.anna, in: self.world.context) }),
            ("remove", { _ = try await RemoveCaseFile.run(.init(caseNumber: other, fileId: 1, language: .en),
                                                          by: self.world.anna, in: self.world.context) }),
        ]
        for (name, attempt) in attempts {
            do {
                try await attempt()
                XCTFail("\(name) reached another customer's case")
            } catch let error as OperationError {
                XCTAssertEqual(error, .notFound, name)
            }
        }
        let messageCount = try await CaseMessageRecord.query(on: world.db).count()
        let fileCount = try await StoredFileRecord.query(on: world.db).count()
        XCTAssertEqual(messageCount, 0)
        XCTAssertEqual(fileCount, 0)
    }

    func testASharedAccountMustSayWhoWritesAndANewPersonIsSavedWithTheMessage() async throws {
        var shared = world.anna
        shared.isShared = true
        let missing = try await WriteCustomerMessage.run(
            .init(caseNumber: world.caseA.number, body: "Hej", copyToMe: false, author: .none, language: .en),
            by: shared, in: world.context)
        XCTAssertEqual(missing.problems?[.author(.person)], "person_choose")
        let incomplete = try await WriteCustomerMessage.run(
            .init(caseNumber: world.caseA.number, body: "Hej", copyToMe: false,
                  author: .new(firstName: "", lastName: "Ek", email: "inte-en-adress", phone: nil), language: .en),
            by: shared, in: world.context)
        XCTAssertEqual(incomplete.problems?[.author(.firstName)], ProblemKey.required)
        XCTAssertEqual(incomplete.problems?[.author(.email)], ProblemKey.invalidEmail)

        let written = try await WriteCustomerMessage.run(
            .init(caseNumber: world.caseA.number, body: "Hej", copyToMe: true,
                  author: .new(firstName: "Eva", lastName: "Ek", email: "eva@example.com", phone: nil), language: .en),
            by: shared, in: world.context)
        XCTAssertNotNil(written.value)
        let people = try await AccountPeople(database: world.db).list(userId: shared.userId)
        XCTAssertEqual(people.map(\.displayName), ["Eva Ek"])
        let message = try await CaseMessageRecord.query(on: world.db).first()
        XCTAssertEqual(message?.authorName, "Eva Ek")
        XCTAssertEqual(message?.authorPersonId, people.first?.id)
        let copy = try await world.outbox(of: world.caseA).first { $0.kind == "message_copy" }
        XCTAssertEqual(copy?.recipient, "eva@example.com", "the copy goes to the person who wrote")
    }

    func testApprovalClosesAResolvedCaseAndNotOKNeedsACommentAndReopens() async throws {
        let notResolved = try await AnswerApproval.run(.init(caseNumber: world.caseA.number, answer: .approved, language: .en),
                                                       by: world.anna, in: world.context).value
        XCTAssertEqual(notResolved, .notAwaiting(caseNumber: world.caseA.number))

        try await resolve(world.caseA)
        let noComment = try await AnswerApproval.run(.init(caseNumber: world.caseA.number, answer: .notOK(comment: "  "), language: .en),
                                                     by: world.anna, in: world.context)
        XCTAssertEqual(noComment.problems?[.comment], "approval_comment_required")
        let rejected = try await AnswerApproval.run(
            .init(caseNumber: world.caseA.number, answer: .notOK(comment: "Det läcker fortfarande"), language: .en),
            by: world.anna, in: world.context).value
        XCTAssertEqual(rejected, .rejected(caseNumber: world.caseA.number))
        var record = try await world.reload(world.caseA)
        XCTAssertEqual(record.status, .reopened)
        let messages = try await CaseConversation(database: world.db).publicMessages(caseId: record.id!)
        XCTAssertEqual(messages.first?.body, "Not OK: Det läcker fortfarande")
        let notices = try await world.outbox(of: record).map(\.kind)
        // "Resolved" was mailed to the customer (issue 11); "Not OK" tells the handler.
        XCTAssertEqual(notices, ["customer_case_status", "handler_customer_message"])

        try await resolve(record)
        let approved = try await AnswerApproval.run(.init(caseNumber: record.number, answer: .approved, language: .en),
                                                    by: world.anna, in: world.context).value
        XCTAssertEqual(approved, .approved(caseNumber: record.number))
        record = try await world.reload(record)
        XCTAssertEqual(record.status, .closed)
        let events = try await world.events(of: record).map(\.event)
        XCTAssertTrue(events.contains(.approved))
        XCTAssertTrue(events.contains(.rejected))
        XCTAssertTrue(events.contains(.statusChanged(from: .resolved, to: .closed)))
    }

    func testClassificationFollowsTheSettingsAndRefusesADeactivatedChoice() async throws {
        let category = CategoryRecord(name: "Vatten"), retired = CategoryRecord(name: "Gammal")
        try await category.create(on: world.db)
        retired.isActive = false
        try await retired.create(on: world.db)
        let input = ChangeClassification.Input(caseNumber: world.caseA.number, expectedVersion: world.caseA.version,
                                               categoryId: .some(category.id), priorityId: nil)
        do {
            _ = try await ChangeClassification.run(input, by: world.anna, in: world.context)
            XCTFail("the customer may not classify unless the settings allow it")
        } catch let error as OperationError {
            XCTAssertEqual(error, .forbidden)
        }
        var settings = try await SettingsStore(database: world.db).load()
        settings.customerMayEditCategory = true
        try await SettingsStore(database: world.db).save(settings)

        let changed = try await ChangeClassification.run(input, by: world.anna, in: world.context).value
        XCTAssertEqual(changed, world.caseA.number)
        let record = try await world.reload(world.caseA)
        XCTAssertEqual(record.categoryId, category.id)
        let events = try await world.events(of: record).map(\.event)
        XCTAssertEqual(events, [.classificationChanged(category: .init(before: nil, after: "Vatten"), priority: nil)])
        do {
            _ = try await ChangeClassification.run(.init(caseNumber: record.number, expectedVersion: record.version,
                                                                 categoryId: .some(retired.id), priorityId: nil),
                                                   by: world.anna, in: world.context)
            XCTFail("a deactivated category is not offered")
        } catch ChangeClassification.Failure.notOffered {}
    }

    func testFilesAreAttachedInOneTransactionAndOnlyTheUploaderRemovesThem() async throws {
        let files: [AttachUploadedFiles.StoredUpload] = [
            .init(storageKey: "k1", originalName: "bild.jpg", contentType: "image/jpeg", byteSize: 10),
            .init(storageKey: "k2", originalName: "offert.pdf", contentType: "application/pdf", byteSize: 20),
        ]
        _ = try await AttachUploadedFiles.run(.init(caseNumber: world.caseA.number, files: files, language: .en),
                                              by: world.anna, in: world.context)
        let stored = try await VisibleFiles(database: world.db).caseFiles(caseId: world.caseA.id!)
        XCTAssertEqual(Set(stored.map(\.originalName)), ["bild.jpg", "offert.pdf"])
        let notices = try await world.outbox(of: world.caseA)
        XCTAssertEqual(notices.map(\.kind), ["handler_customer_upload"], "one notice for the whole post")
        XCTAssertTrue(notices[0].body.contains("bild.jpg, offert.pdf"))
        let uploadEvents = try await world.events(of: world.caseA).map(\.event)
        XCTAssertEqual(uploadEvents, [.filesUploaded(names: ["bild.jpg", "offert.pdf"])])

        // A second user who also sees the case may not remove Anna's file.
        let colleagueRecord = PortalUserRecord(organisationId: world.anna.viewer.customerIdForTests!, username: "kollega",
                                               loginKind: .invoiceCustomer, firstName: "Kalle", lastName: "Kollega", passwordHash: "x")
        try await colleagueRecord.create(on: world.db)
        let colleague = try PortalActor(user: colleagueRecord, viewer: try await PortalViewers.viewer(for: colleagueRecord, on: world.db))
        let fileId = try XCTUnwrap(stored.first { $0.originalName == "bild.jpg" }?.id)
        do {
            _ = try await RemoveCaseFile.run(.init(caseNumber: world.caseA.number, fileId: fileId, language: .en),
                                             by: colleague, in: world.context)
            XCTFail("only the uploader removes a file")
        } catch let error as OperationError {
            XCTAssertEqual(error, .forbidden)
        }
        let removed = try await RemoveCaseFile.run(.init(caseNumber: world.caseA.number, fileId: fileId, language: .en),
                                                   by: world.anna, in: world.context)
        XCTAssertEqual(removed.storageKey, "k1")
        let left = try await VisibleFiles(database: world.db).caseFiles(caseId: world.caseA.id!)
        XCTAssertEqual(left.map(\.originalName), ["offert.pdf"])
        let newest = try await world.events(of: world.caseA).first?.event
        XCTAssertEqual(newest, .fileRemoved(name: "bild.jpg"))
    }

    /// Staff mark the case resolved (allowed from new and from reopened).
    private func resolve(_ record: CaseRecord) async throws {
        let current = try await world.reload(record)
        _ = try await ChangeCaseStatus.run(.init(caseNumber: current.number, expectedVersion: current.version, next: .resolved),
                                           by: world.handler, in: world.context)
    }
}

extension PortalViewer {
    /// The invoice customer this viewer logs in as, for building a colleague in tests.
    var customerIdForTests: Int? {
        if case .invoiceCustomer(let id) = self { return id }
        return nil
    }
}

/// B4 / D2: registering a case from the portal, below HTTP.
final class RegisterCaseTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
    }

    override func tearDown() async throws { await harness.shutdown() }

    func input(object: ChosenId, copyEmail: String? = nil, fields: [Int: String] = [:], typeId: Int? = nil) -> RegisterCase.Input {
        RegisterCase.Input(typeId: typeId, subject: " Trasig dörr ", description: "Går inte att låsa", category: .none,
                           customer: .none, object: object, workSiteAddress: "", referenceName: "", copyEmail: copyEmail,
                           smsPhone: nil, fieldValues: fields, author: .none, language: .en)
    }

    func testACaseIsCreatedWhereTheRuleAllowsWithItsCopyNumbered() async throws {
        var texts = OperationWorld.texts
        texts["mail_case_copy_subject"] = "Case {number}: {subject}"
        texts["mail_case_copy_body"] = "{body}"
        world.context.notifications.translations = Translations(tables: [.sv: texts, .en: texts])
        let outcome = try await RegisterCase.run(input(object: ChosenId(world.caseA.objectId), copyEmail: "anna@example.com"),
                                                 by: world.anna, in: world.context)
        guard case .caseCreated(let number)? = outcome.value else { return XCTFail("no case: \(outcome)") }
        let record = try await CaseRecord.query(on: world.db).filter(\.$number == number).first()
        XCTAssertEqual(record?.subject, "Trasig dörr")
        XCTAssertEqual(record?.customerId, world.caseA.customerId, "the object's customer")
        XCTAssertEqual(record?.createdByUserId, world.anna.userId)
        let copy = try await world.outbox(of: try XCTUnwrap(record)).first
        XCTAssertEqual(copy?.subject, "Case \(number): Trasig dörr")
        XCTAssertEqual(copy?.recipient, "anna@example.com")
    }

    func testARegisteredCaseWritesOneCreatedEventThatTheCustomerMaySee() async throws {
        let outcome = try await RegisterCase.run(input(object: ChosenId(world.caseA.objectId)), by: world.anna, in: world.context)
        guard case .caseCreated(let number)? = outcome.value else { return XCTFail("no case: \(outcome)") }
        let found = try await CaseRecord.query(on: world.db).filter(\.$number == number).first()
        let record = try XCTUnwrap(found)
        let events = try await world.events(of: record)
        XCTAssertEqual(events.map(\.event), [.created(channel: .portal)])
        XCTAssertEqual(events.first?.audience, .customer)
        XCTAssertEqual(events.first?.actor, EventActor(portalUserId: world.anna.userId, name: world.anna.name))
        // The customer's stream (the coming news feed) carries it.
        let customerStream = try await CaseEvents.after(0, audience: .customer, on: world.db)
        XCTAssertEqual(customerStream.filter { $0.caseId == record.id }.map(\.event), [.created(channel: .portal)])
    }

    func testAnObjectOutsideTheViewersReachIsRefusedAndCheckingWritesNothing() async throws {
        let problems = try await RegisterCase.check(input(object: ChosenId(world.caseB.objectId)), by: world.anna, in: world.context)
        XCTAssertEqual(problems[.object], ProblemKey.chooseFromList)
        let fine = try await RegisterCase.check(input(object: ChosenId(world.caseA.objectId), copyEmail: "inte-en-adress"),
                                                by: world.anna, in: world.context)
        XCTAssertEqual(fine.messages, [.copyEmail: ProblemKey.invalidEmail])
        let cases = try await CaseRecord.query(on: world.db).count()
        XCTAssertEqual(cases, 2, "checking creates nothing")
    }

    func testTheTypesFieldsAreCheckedByKind() async throws {
        let type = CaseTypeRecord(name: "Felanmälan")
        try await type.create(on: world.db)
        let date = CaseTypeFieldRecord(caseTypeId: type.id!, label: "Datum", kind: .date, isRequired: true)
        try await date.create(on: world.db)
        let problems = try await RegisterCase.check(input(object: ChosenId(world.caseA.objectId), fields: [date.id!: "igår"],
                                                          typeId: type.id), by: world.anna, in: world.context)
        XCTAssertEqual(problems[.typeField(date.id!)], "form_invalid_date")
        let missing = try await RegisterCase.check(input(object: ChosenId(world.caseA.objectId), typeId: type.id),
                                                   by: world.anna, in: world.context)
        XCTAssertEqual(missing[.typeField(date.id!)], ProblemKey.required)
        let outcome = try await RegisterCase.run(input(object: ChosenId(world.caseA.objectId), fields: [date.id!: "2026-12-01"],
                                                       typeId: type.id), by: world.anna, in: world.context)
        guard case .caseCreated(let number)? = outcome.value else { return XCTFail("no case") }
        let record = try await CaseRecord.query(on: world.db).filter(\.$number == number).first()
        let values = try await CaseConversation(database: world.db).fieldValues(caseId: try XCTUnwrap(record?.id))
        XCTAssertEqual(values.map(\.value), ["2026-12-01"])
    }

    func testWithInquiriesFirstTheSubmissionWaitsInTheInboxAndNoCaseIsMade() async throws {
        var settings = try await SettingsStore(database: world.db).load()
        settings.inquiriesFirst = true
        try await SettingsStore(database: world.db).save(settings)
        let outcome = try await RegisterCase.run(input(object: ChosenId(world.caseA.objectId)), by: world.anna, in: world.context)
        guard case .inquirySent(let id)? = outcome.value else { return XCTFail("no inquiry") }
        let inquiry = try await InquiryRecord.find(id, on: world.db)
        XCTAssertEqual(inquiry?.subject, "Trasig dörr")
        XCTAssertEqual(inquiry?.senderEmail, "anna@example.com")
        let cases = try await CaseRecord.query(on: world.db).count()
        XCTAssertEqual(cases, 2)
        let created = try await CaseEventRecord.query(on: world.db).filter(\.$kind == CaseEvent.Kind.created.rawValue).count()
        XCTAssertEqual(created, 0, "an inquiry is not a case: its event comes when staff make the case")
    }
}
