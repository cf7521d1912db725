import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Issue 11 points 1, 3 and 5 below HTTP, on both databases: staff create cases, link contacts to
/// them (A7), add and remove files on a case, a customer or an object (B9), and read customer activity (D4).
final class StaffLoopOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
    }

    override func tearDown() async throws { await harness.shutdown() }

    var db: any Database { world.db }

    func audit(_ action: AuditAction) async throws -> [AuditEventRecord] {
        try await AuditEventRecord.query(on: db).filter(\.$action == action.rawValue).sort(\.$id).all()
    }

    func upload(_ name: String, key: String = "ab01") -> AttachUploadedFiles.StoredUpload {
        .init(storageKey: key, originalName: name, contentType: "application/pdf", byteSize: 1_234)
    }

    /// A contact with a portal user of its own, linked to nothing (A7: sees the cases it is linked to).
    func contactWithUser(_ first: String) async throws -> (ContactRecord, PortalActor) {
        let contact = ContactRecord(firstName: first, lastName: "Kontakt", email: "\(first.lowercased())@example.com")
        try await contact.create(on: db)
        let customerId = try XCTUnwrap(world.caseA.customerId)
        let user = PortalUserRecord(organisationId: customerId, username: first.lowercased(), loginKind: .contact,
                                    contactId: try contact.requireID(), firstName: first, lastName: "Kontakt", passwordHash: "x")
        try await user.create(on: db)
        return (contact, try PortalActor(user: user, viewer: try await PortalViewers.viewer(for: user, on: db)))
    }

    // MARK: Point 3: staff create cases

    func testStaffCreateACaseByTheCompanyWithItsContactAndTheCreatedEvent() async throws {
        let (contact, carl) = try await contactWithUser("Carl")
        let outcome = try await CreateStaffCase.run(
            .init(subject: "  Byte av termostat ", description: "Rum 3", handler: .id(world.handler.staffId),
                  customer: ChosenId(world.caseA.customerId), object: ChosenId(world.caseA.objectId),
                  contact: .id(try contact.requireID()), workSiteAddress: "Gatan 1, lgh 1102", referenceName: "Carl"),
            by: world.handler, in: world.context)
        let number = try XCTUnwrap(outcome.value)
        let found = try await StaffCases(database: db).find(number: number)
        let record = try XCTUnwrap(found)
        XCTAssertEqual(record.subject, "Byte av termostat")
        XCTAssertEqual(record.origin, .backOffice, "the portal's 'by the company' marker")
        XCTAssertEqual(record.createdByStaffId, world.handler.staffId)
        XCTAssertEqual(record.createdByName, world.handler.name)
        XCTAssertEqual(record.primaryContactId, contact.id)
        XCTAssertEqual(record.workSiteAddress, "Gatan 1, lgh 1102")
        XCTAssertEqual(record.referenceName, "Carl")
        XCTAssertFalse(record.hasUnreadActivity, "staff's own case is no customer activity")
        let events = try await world.events(of: record)
        XCTAssertEqual(events.map(\.event), [.created(channel: .backOffice)])
        XCTAssertEqual(events.first?.actor.staffId, world.handler.staffId)
        XCTAssertEqual(events.first?.audience, .customer)
        // A7: the contact's portal user sees the case it is the contact person of; the other customer's user does not.
        let seen = try await VisibleCases(database: db).find(number: number, for: carl.visibility)
        XCTAssertNotNil(seen)
        let bertSees = try await VisibleCases(database: db).find(number: number, for: world.bert.visibility)
        XCTAssertNil(bertSees)
    }

    /// Point 3 with point 2: the customer hears of a case the company registered, by e-mail to the
    /// linked contact, in the contact's user's language, on the case (so the reply address applies).
    func testAStaffCreatedCaseEmailsItsContact() async throws {
        let (contact, carl) = try await contactWithUser("Dora")
        let user = try await PortalUserRecord.find(carl.userId, on: db)
        user?.language = "en"
        try await user?.save(on: db)
        let before = try await OutboxRecord.query(on: db).count()
        let outcome = try await CreateStaffCase.run(
            .init(subject: "Hissbesiktning", description: "Torsdag", customer: ChosenId(world.caseA.customerId),
                  contact: .id(try contact.requireID())),
            by: world.handler, in: world.context)
        let number = try XCTUnwrap(outcome.value)
        let record = try await StaffCases(database: db).find(number: number)
        let mails = try await OutboxRecord.query(on: db).filter(\.$recipient == "dora@example.com").all()
        XCTAssertEqual(mails.count, 1)
        XCTAssertEqual(mails.first?.kind, OutboxKind.customerCaseCreated.rawValue)
        XCTAssertEqual(mails.first?.caseId, record?.id)
        XCTAssertEqual(mails.first?.language, "en")
        let after = try await OutboxRecord.query(on: db).count()
        XCTAssertEqual(after - before, 1, "one mail: nobody else is linked")
    }

    func testANewCaseWithProblemsWritesNothing() async throws {
        let before = try await CaseRecord.query(on: db).count()
        let outcome = try await CreateStaffCase.run(
            .init(subject: " ", description: "", customer: ChosenId(world.caseA.customerId), object: ChosenId(world.caseB.objectId),
                  contact: .id(999_999), workSiteAddress: String(repeating: "x", count: 301)),
            by: world.handler, in: world.context)
        let problems = try XCTUnwrap(outcome.problems)
        XCTAssertEqual(problems.messages[.subject], ProblemKey.required)
        XCTAssertEqual(problems.messages[.object], "new_case_error_object_customer", "another customer's object")
        XCTAssertEqual(problems.messages[.contact], ProblemKey.chooseFromList)
        XCTAssertEqual(problems.messages[.workSiteAddress], ProblemKey.tooLong)
        let after = try await CaseRecord.query(on: db).count()
        XCTAssertEqual(after, before)
    }

    func testLinkingAContactLetsItsUsersSeeTheCaseAndUnlinkingTakesItAway() async throws {
        let (contact, carl) = try await contactWithUser("Carl")
        let cases = VisibleCases(database: db)
        var seen = try await cases.find(number: world.caseB.number, for: carl.visibility)
        XCTAssertNil(seen, "before the link")
        let outcome = try await LinkCaseContact.run(caseNumber: world.caseB.number, contact: .id(contact.id!), by: world.handler,
                                                    in: world.context)
        XCTAssertEqual(outcome.value, world.caseB.number)
        seen = try await cases.find(number: world.caseB.number, for: carl.visibility)
        XCTAssertNotNil(seen, "A7: the cases the contact is linked to")
        var events = try await world.events(of: world.caseB)
        XCTAssertEqual(events.first?.event, .contactLinked(name: "Carl Kontakt"))
        XCTAssertEqual(events.first?.audience, .staff)
        var lines = try await audit(.accessChanged)
        XCTAssertEqual(lines.last?.details, "linked to case \(world.caseB.number)")

        let again = try await LinkCaseContact.run(caseNumber: world.caseB.number, contact: .id(contact.id!), by: world.handler,
                                                  in: world.context)
        XCTAssertEqual(again.problems?.messages[.contact], "staff_error_contact_linked")
        let none = try await LinkCaseContact.run(caseNumber: world.caseB.number, contact: .none, by: world.handler, in: world.context)
        XCTAssertEqual(none.problems?.messages[.contact], ProblemKey.required)
        let tampered = try await LinkCaseContact.run(caseNumber: world.caseB.number, contact: .invalid, by: world.handler,
                                                     in: world.context)
        XCTAssertEqual(tampered.problems?.messages[.contact], ProblemKey.chooseFromList)

        _ = try await UnlinkCaseContact.run(caseNumber: world.caseB.number, contactId: contact.id!, by: world.handler, in: world.context)
        seen = try await cases.find(number: world.caseB.number, for: carl.visibility)
        XCTAssertNil(seen, "unlinked: gone again")
        events = try await world.events(of: world.caseB)
        XCTAssertEqual(events.first?.event, .contactUnlinked(name: "Carl Kontakt"))
        lines = try await audit(.accessChanged)
        XCTAssertEqual(lines.last?.details, "unlinked from case \(world.caseB.number)")
        do {
            _ = try await UnlinkCaseContact.run(caseNumber: world.caseB.number, contactId: contact.id!, by: world.handler, in: world.context)
            XCTFail("a contact that is not linked was unlinked")
        } catch OperationError.notFound {}
    }

    func testThePrimaryContactCannotBeUnlinked() async throws {
        let (contact, _) = try await contactWithUser("Carl")
        let created = try await CreateStaffCase.run(.init(subject: "Hiss", description: "", contact: .id(contact.id!)),
                                                    by: world.handler, in: world.context)
        let number = try XCTUnwrap(created.value)
        do {
            _ = try await UnlinkCaseContact.run(caseNumber: number, contactId: contact.id!, by: world.handler, in: world.context)
            XCTFail("the primary contact was unlinked")
        } catch OperationError.notAllowedNow {}
    }

    // MARK: Point 1: files

    func testStaffFilesOnACaseAreLinesTheCustomerSeesAndEvents() async throws {
        let number = try await AttachStaffCaseFiles.run(.init(caseNumber: world.caseA.number, files: [upload("Offert.pdf")],
                                                               language: .sv), by: world.handler, in: world.context)
        XCTAssertEqual(number, world.caseA.number)
        let files = try await VisibleFiles(database: db).caseFiles(caseId: world.caseA.id!)
        XCTAssertEqual(files.map(\.originalName), ["Offert.pdf"])
        XCTAssertNil(files.first?.uploadedByUserId)
        XCTAssertEqual(files.first?.uploaderName, world.handler.name)
        let messages = try await CaseConversation(database: db).publicMessages(caseId: world.caseA.id!)
        XCTAssertEqual(messages.first?.body, "Uploaded Offert.pdf")
        XCTAssertEqual(messages.first?.authorKind, .staff)
        var events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.first?.event, .filesUploaded(names: ["Offert.pdf"]))
        XCTAssertEqual(events.first?.actor.staffId, world.handler.staffId)

        // Staff may remove any file of the case, also the customer's.
        let annas = try await AttachUploadedFiles.run(.init(caseNumber: world.caseA.number, files: [upload("Foto.jpg", key: "ab02")],
                                                            language: .sv), by: world.anna, in: world.context)
        XCTAssertEqual(annas, world.caseA.number)
        let listed = try await VisibleFiles(database: db).caseFiles(caseId: world.caseA.id!)
        let fotoId = try XCTUnwrap(listed.first { $0.originalName == "Foto.jpg" }?.id)
        let removed = try await RemoveStaffCaseFile.run(.init(caseNumber: world.caseA.number, fileId: fotoId, language: .sv),
                                                        by: world.handler, in: world.context)
        XCTAssertEqual(removed.storageKey, "ab02")
        let left = try await VisibleFiles(database: db).caseFiles(caseId: world.caseA.id!)
        XCTAssertEqual(left.map(\.originalName), ["Offert.pdf"])
        events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.first?.event, .fileRemoved(name: "Foto.jpg"))
        // A file of another case is not this case's.
        do {
            _ = try await RemoveStaffCaseFile.run(.init(caseNumber: world.caseB.number, fileId: left[0].id, language: .sv),
                                                  by: world.handler, in: world.context)
            XCTFail("removed through another case")
        } catch OperationError.notFound {}
    }

    func testCustomerAndObjectFilesReachThePortalByTheAccessRule() async throws {
        let customerId = try XCTUnwrap(world.caseA.customerId), objectId = try XCTUnwrap(world.caseA.objectId)
        try await AttachRegisterFiles.run([upload("Ordningsregler.pdf")], to: .customer(customerId), by: world.handler, in: world.context)
        try await AttachRegisterFiles.run([upload("Energideklaration.pdf", key: "ab03")], to: .object(objectId), by: world.handler,
                                          in: world.context)
        let annaSees = try await VisibleFiles(database: db).registerFiles(for: FileVisibility(for: world.anna.viewer))
        XCTAssertEqual(Set(annaSees.map(\.originalName)), ["Ordningsregler.pdf", "Energideklaration.pdf"])
        let bertSees = try await VisibleFiles(database: db).registerFiles(for: FileVisibility(for: world.bert.viewer))
        XCTAssertEqual(bertSees, [], "another customer's files")
        var lines = try await audit(.masterDataChanged)
        XCTAssertEqual(lines.map(\.details), ["file added: Ordningsregler.pdf", "file added: Energideklaration.pdf"])

        let fileId = try XCTUnwrap(annaSees.first { $0.originalName == "Energideklaration.pdf" }?.id)
        let removed = try await RemoveRegisterFile.run(fileId: fileId, by: world.handler, in: world.context)
        XCTAssertEqual(removed.owner, .object(objectId))
        XCTAssertEqual(removed.storageKey, "ab03")
        let after = try await VisibleFiles(database: db).registerFiles(for: FileVisibility(for: world.anna.viewer))
        XCTAssertEqual(after.map(\.originalName), ["Ordningsregler.pdf"])
        lines = try await audit(.masterDataChanged)
        XCTAssertEqual(lines.last?.details, "file removed: Energideklaration.pdf")
        do {
            _ = try await RemoveRegisterFile.run(fileId: fileId, by: world.handler, in: world.context)
            XCTFail("removed twice")
        } catch OperationError.notFound {}
        do {
            try await AttachRegisterFiles.run([upload("x.pdf")], to: .customer(999_999), by: world.handler, in: world.context)
            XCTFail("attached to a missing customer")
        } catch OperationError.notFound {}
    }

    // MARK: Point 5: unread activity

    func testMarkAllReadTakesTheHandlersOwnCasesOnlyAndCountsThem() async throws {
        let colleague = StaffUserRecord(email: "kollega@example.com", name: "Klara Kollega", role: .handler, passwordHash: "x")
        try await colleague.create(on: db)
        let theirs = try await world.reload(world.caseB)
        theirs.handlerId = colleague.id
        try await theirs.update(on: db)
        for (record, actor) in [(world.caseA, world.anna), (world.caseB, world.bert)] {
            _ = try await WriteCustomerMessage.run(.init(caseNumber: record.number, body: "Hej", copyToMe: false, author: .none,
                                                         language: .sv), by: actor, in: world.context)
        }
        let marked = try await MarkAllCasesRead.run(by: world.handler, in: world.context)
        XCTAssertEqual(marked, 1)
        let (a, b) = (try await world.reload(world.caseA), try await world.reload(world.caseB))
        XCTAssertFalse(a.hasUnreadActivity)
        XCTAssertNotNil(a.staffReadAt)
        XCTAssertTrue(b.hasUnreadActivity, "a colleague's case stays unread for them")
        let again = try await MarkAllCasesRead.run(by: world.handler, in: world.context)
        XCTAssertEqual(again, 0)
    }

    func testMarkingOneCaseReadRemembersWhenSoTheBoxNamesOnlyWhatCameAfter() async throws {
        let clock = StaffLoopClock(Date(timeIntervalSince1970: 1_800_000_000))
        var context = world.context
        context.clock = { clock.now }
        _ = try await WriteCustomerMessage.run(.init(caseNumber: world.caseA.number, body: "Första", copyToMe: false, author: .none,
                                                     language: .sv), by: world.anna, in: context)
        clock.now += 60
        _ = try await MarkCaseRead.run(caseNumber: world.caseA.number, by: world.handler, in: context)
        let record = try await world.reload(world.caseA)
        XCTAssertEqual(record.staffReadAt, clock.now.timeIntervalSince1970)
        clock.now += 60
        _ = try await WriteCustomerMessage.run(.init(caseNumber: world.caseA.number, body: "Andra", copyToMe: false, author: .none,
                                                     language: .sv), by: world.anna, in: context)
        let facts = try await StaffCases(database: db).facts(number: world.caseA.number)
        let activity = try await CaseUnreadActivity.load(for: try XCTUnwrap(facts), on: db)
        XCTAssertEqual(activity.messages.map(\.body), ["Andra"])
    }
}

/// A clock a test moves by hand.
final class StaffLoopClock: @unchecked Sendable {
    var now: Date
    init(_ now: Date) { self.now = now }
}
