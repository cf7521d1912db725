import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Issue 11 below HTTP, on both databases: the customer's e-mails about their case (point 2), the
/// approval round and button (point 11), shared accounts' authors (point 12), late contact linking
/// (point 14) and the new-case settings (point 15).
final class CustomerMailOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
        // Each language its own words, so a test sees which language a text was written in.
        var tables: [Language: [String: String]] = [:]
        for language in Language.allCases {
            var texts = OperationWorld.texts
            let tag = language.rawValue.uppercased()
            texts["mail_case_message_subject"] = "\(tag) message {number}"
            texts["mail_case_message_body"] = "\(tag) {company} wrote: {text} {link}"
            texts["mail_case_status_subject"] = "\(tag) {number}: {status}"
            for status in ["waiting_for_customer", "resolved", "closed"] {
                texts["mail_case_status_\(status)_body"] = "\(tag) \(status) {link}"
                texts["status_\(status)"] = "\(tag)-\(status)"
            }
            texts["mail_case_created_subject"] = "\(tag) new case {number}"
            texts["mail_case_created_body"] = "\(tag) {text}"
            texts["mail_case_footer"] = "\(tag) footer"
            texts["approval_auto_closed_message"] = "\(tag) closed as approved"
            texts["approval_tested_ok_message"] = "\(tag) tested OK"
            texts["approval_approved_message"] = "\(tag) approved"
            tables[language] = texts
        }
        world.context.notifications.translations = Translations(tables: tables)
    }

    override func tearDown() async throws { await harness.shutdown() }

    var db: any Database { world.db }

    func user(_ id: Int) async throws -> PortalUserRecord {
        let found = try await PortalUserRecord.find(id, on: db)
        return try XCTUnwrap(found)
    }

    @discardableResult
    func contact(_ first: String, email: String?, on record: CaseRecord? = nil, customer: Int? = nil) async throws -> ContactRecord {
        let contact = ContactRecord(firstName: first, lastName: "Kontakt", email: email)
        try await contact.create(on: db)
        if let record { try await CaseContactLink(caseId: record.id!, contactId: contact.id!, isPrimary: false).create(on: db) }
        if let customer { try await ContactCustomerLink(contactId: contact.id!, customerId: customer).create(on: db) }
        return contact
    }

    func customerMails(_ record: CaseRecord) async throws -> [OutboxRecord] {
        try await world.outbox(of: record).filter { ($0.kind ?? "").hasPrefix("customer_case_") }
    }

    func move(_ record: CaseRecord, to next: CaseStatus) async throws {
        let current = try await world.reload(record)
        _ = try await ChangeCaseStatus.run(.init(caseNumber: current.number, expectedVersion: current.version, next: next),
                                           by: world.handler, in: world.context)
    }

    // MARK: Point 2

    func testAPublicStaffMessageMailsTheCreatorAndLinkedContactsOnceEachInTheirLanguageWithTheCase() async throws {
        let anna = try await user(world.anna.userId)
        anna.language = "en"
        try await anna.save(on: db)
        try await contact("Cilla", email: "cilla@example.com", on: world.caseA)
        try await contact("Anna igen", email: "ANNA@example.com", on: world.caseA)   // the creator's address: once
        try await contact("Utan", email: nil, on: world.caseA)
        let dansk = try await contact("Dorte", email: "dorte@example.com", on: world.caseA)
        let dorteUser = PortalUserRecord(organisationId: anna.organisationId, username: "dorte", loginKind: .contact,
                                         firstName: "Dorte", lastName: "D", email: "dorte@example.com", passwordHash: "x")
        dorteUser.contactId = dansk.id
        dorteUser.language = "da"
        try await dorteUser.create(on: db)

        _ = try await WriteStaffMessage.run(.init(caseNumber: world.caseA.number, body: "Intern", isInternal: true),
                                            by: world.handler, in: world.context)
        var mails = try await customerMails(world.caseA)
        XCTAssertTrue(mails.isEmpty, "an internal note is not mailed")

        _ = try await WriteStaffMessage.run(.init(caseNumber: world.caseA.number, body: "Vi kommer i morgon", isInternal: false),
                                            by: world.handler, in: world.context)
        mails = try await customerMails(world.caseA)
        XCTAssertEqual(mails.map(\.recipient), ["anna@example.com", "cilla@example.com", "dorte@example.com"])
        XCTAssertEqual(mails.map(\.language), ["en", Language.fallback.rawValue, "da"])
        XCTAssertEqual(mails.map(\.kind), Array(repeating: "customer_case_message", count: 3))
        XCTAssertEqual(mails[0].subject, "EN message \(world.caseA.number)")
        XCTAssertEqual(mails[2].body, "DA Fastighetsservice wrote: Vi kommer i morgon https://portal.example.com/cases/\(world.caseA.number)\n\nDA footer")
        // The case id gives each mail the case's signed reply address (B7) when it is delivered.
        XCTAssertEqual(Set(mails.map(\.caseId)), [world.caseA.id])
    }

    func testWaitingResolvedAndClosedAreMailedAndOtherStatusesAreNot() async throws {
        try await move(world.caseA, to: .open)
        var mails = try await customerMails(world.caseA)
        XCTAssertTrue(mails.isEmpty)
        for next in [CaseStatus.waitingForCustomer, .resolved, .closed] { try await move(world.caseA, to: next) }
        mails = try await customerMails(world.caseA)
        let fallback = Language.fallback.rawValue.uppercased()
        XCTAssertEqual(mails.map(\.subject), ["waiting_for_customer", "resolved", "closed"].map {
            "\(fallback) \(world.caseA.number): \(fallback)-\($0)"
        })
        XCTAssertEqual(mails.map(\.recipient), Array(repeating: "anna@example.com", count: 3))
        // A refused change (a stale page) mails nothing.
        do {
            _ = try await ChangeCaseStatus.run(.init(caseNumber: world.caseA.number, expectedVersion: 0, next: .reopened),
                                               by: world.handler, in: world.context)
            XCTFail("stale")
        } catch OperationError.stale {}
        let after = try await customerMails(world.caseA)
        XCTAssertEqual(after.count, 3)
    }

    func testAUserWhoTurnedTheMailsOffGetsNoneButStillTheApprovalReminder() async throws {
        try await contact("Cilla", email: "cilla@example.com", on: world.caseA)
        let changed = try await ChooseCaseMail.run(wanted: false, by: world.anna, in: world.context)
        XCTAssertTrue(changed)
        let again = try await ChooseCaseMail.run(wanted: false, by: world.anna, in: world.context)
        XCTAssertFalse(again, "nothing changed")
        let stored = try await user(world.anna.userId)
        XCTAssertEqual(stored.caseMailOff, true)
        _ = try await WriteStaffMessage.run(.init(caseNumber: world.caseA.number, body: "Hej", isInternal: false),
                                            by: world.handler, in: world.context)
        let mails = try await customerMails(world.caseA)
        XCTAssertEqual(mails.map(\.recipient), ["cilla@example.com"])

        final class Clock: @unchecked Sendable { var now = Date() }
        let clock = Clock()
        world.context.clock = { clock.now }
        try await move(world.caseA, to: .resolved)
        clock.now += 3_600
        try await ApprovalRound.run(reminderAfter: 1_800, in: world.context)
        let reminders = try await world.outbox(of: world.caseA).filter { $0.kind == "approval_reminder" }
        XCTAssertEqual(Set(reminders.map(\.recipient)), ["anna@example.com", "cilla@example.com"])

        let back = try await ChooseCaseMail.run(wanted: true, by: world.anna, in: world.context)
        XCTAssertTrue(back)
        let on = try await user(world.anna.userId)
        XCTAssertNil(on.caseMailOff)
    }

    func testOnASharedAccountTheCreatorsMailGoesToThePersonWhoWroteTheCase() async throws {
        let person = try await AccountPeople(database: db).add(userId: world.anna.userId, firstName: "Eva", lastName: "Ek",
                                                                email: "eva@example.com", phone: nil)
        let record = try await world.reload(world.caseA)
        record.createdByPersonId = person.id
        try await record.save(on: db)
        _ = try await WriteStaffMessage.run(.init(caseNumber: record.number, body: "Hej", isInternal: false),
                                            by: world.handler, in: world.context)
        let mails = try await customerMails(record)
        XCTAssertEqual(mails.map(\.recipient), ["eva@example.com"])
    }

    func testCustomerCaseNewsForACaseStaffCreatedGoesToItsContacts() async throws {
        // How the staff "create a case" operation calls it: the new case's record, `.created`, in its transaction.
        var new = NewCase(subject: "Ny hiss", description: "Byts i maj", createdByName: "Henrik", origin: .backOffice)
        new.customerId = world.caseA.customerId
        let record = try await CaseCreation.create(new, on: db)
        try await contact("Cilla", email: "cilla@example.com", on: record)
        let rows = try await Notifications.customerCaseNews(world.context.notifications, record: record, news: .created, on: db)
        XCTAssertEqual(rows.map(\.recipient), ["cilla@example.com"])
        XCTAssertEqual(rows.first?.kind, "customer_case_created")
        XCTAssertEqual(rows.first?.caseId, record.id)
        XCTAssertEqual(rows.first?.subject, "\(Language.fallback.rawValue.uppercased()) new case \(record.number)")
        let none = try await Notifications.customerCaseNews(world.context.notifications, record: record,
                                                            news: .statusChanged(to: .open), on: db)
        XCTAssertTrue(none.isEmpty)
    }

    // MARK: Point 11

    func testTheReminderTimeComesFromTheSettingsElseTheDefault() async throws {
        final class Clock: @unchecked Sendable { var now = Date() }
        let clock = Clock()
        world.context.clock = { clock.now }
        var settings = try await SettingsStore(database: db).load()
        settings.approvalReminderDays = 2
        try await SettingsStore(database: db).save(settings)
        try await move(world.caseA, to: .resolved)
        clock.now += 86_400
        try await ApprovalRound.run(reminderAfter: 1_800, in: world.context)
        var reminders = try await world.outbox(of: world.caseA).filter { $0.kind == "approval_reminder" }
        XCTAssertTrue(reminders.isEmpty, "the setting's two days, not the default half hour")
        clock.now += 86_400 + 1
        try await ApprovalRound.run(reminderAfter: 1_800, in: world.context)
        reminders = try await world.outbox(of: world.caseA).filter { $0.kind == "approval_reminder" }
        XCTAssertEqual(reminders.count, 1)
        XCTAssertEqual(ApprovalRound.reminderTime(PortalSettings(), default: 99), 99)
    }

    func testACaseNobodyCanBeRemindedStaysResolvedAndIsListedForStaff() async throws {
        final class Clock: @unchecked Sendable { var now = Date() }
        let clock = Clock()
        world.context.clock = { clock.now }
        let bert = try await user(world.bert.userId)
        bert.email = nil
        try await bert.save(on: db)
        try await contact("Utan", email: nil, on: world.caseB)
        try await move(world.caseB, to: .resolved)
        clock.now += 3_600
        try await ApprovalRound.run(reminderAfter: 1_800, in: world.context)
        clock.now += 3 * 86_400
        try await ApprovalRound.run(reminderAfter: 1_800, in: world.context)
        var record = try await world.reload(world.caseB)
        XCTAssertEqual(record.status, .resolved, "never closed on a reminder nobody received")
        XCTAssertNil(record.approvalRemindedAt)
        XCTAssertNotNil(record.approvalUnreachedAt)
        let events = try await world.events(of: record).map(\.event)
        XCTAssertFalse(events.contains(.approvalReminderSent))
        var unreached = try await CaseApproval(database: db).unreached()
        XCTAssertEqual(unreached.map(\.number), [world.caseB.number])

        try await move(record, to: .reopened)
        record = try await world.reload(world.caseB)
        XCTAssertNil(record.approvalUnreachedAt, "a status change clears the mark")
        unreached = try await CaseApproval(database: db).unreached()
        XCTAssertTrue(unreached.isEmpty)
    }

    func testTheAutoCloseMessageIsWrittenInTheCasesLanguage() async throws {
        final class Clock: @unchecked Sendable { var now = Date() }
        let clock = Clock()
        world.context.clock = { clock.now }
        let anna = try await user(world.anna.userId)
        anna.language = "nb"
        try await anna.save(on: db)
        try await move(world.caseA, to: .resolved)
        clock.now += 3_600
        try await ApprovalRound.run(reminderAfter: 1_800, in: world.context)
        clock.now += 24 * 3_600 + 1
        try await ApprovalRound.run(reminderAfter: 1_800, in: world.context)
        let record = try await world.reload(world.caseA)
        XCTAssertEqual(record.status, .closed)
        let messages = try await CaseConversation(database: db).publicMessages(caseId: record.id!)
        XCTAssertEqual(messages.last?.body, "NB closed as approved")
    }

    func testTheApprovalButtonAndItsMessageFollowTheCaseType() async throws {
        let admin = StaffActor(staffId: world.handler.staffId, name: "Admin", isAdmin: true)
        let saved = try await SaveCaseType.run(.init(typeId: nil, name: "Utveckling", description: "", order: "", isBillable: false,
                                                     isActive: true, approvalLabel: .testedOK), by: admin, in: world.context)
        let typeId = try XCTUnwrap(saved.value?.typeId)
        var found = try await CaseTypeRecord.find(typeId, on: db)
        var type = try XCTUnwrap(found)
        XCTAssertEqual(ApprovalLabel(stored: type.approvalLabel), .testedOK)
        _ = try await SaveCaseType.run(.init(typeId: typeId, name: "Utveckling", description: "", order: "1", isBillable: false,
                                             isActive: true, approvalLabel: .approved), by: admin, in: world.context)
        found = try await CaseTypeRecord.find(typeId, on: db)
        type = try XCTUnwrap(found)
        XCTAssertEqual(ApprovalLabel(stored: type.approvalLabel), .approved)
        let audit = try await AuditEventRecord.query(on: db).all().compactMap(\.details)
        XCTAssertTrue(audit.contains("case type \(typeId) approval button: tested_ok → approved"), "\(audit)")
        _ = try await SaveCaseType.run(.init(typeId: typeId, name: "Utveckling", description: "", order: "1", isBillable: false,
                                             isActive: true, approvalLabel: .testedOK), by: admin, in: world.context)

        let record = try await world.reload(world.caseA)
        record.caseTypeId = typeId
        try await record.save(on: db)
        try await move(record, to: .resolved)
        _ = try await AnswerApproval.run(.init(caseNumber: record.number, answer: .approved, language: .da), by: world.anna,
                                         in: world.context)
        let messages = try await CaseConversation(database: db).publicMessages(caseId: record.id!)
        XCTAssertEqual(messages.last?.body, "DA tested OK")
    }

    // MARK: Point 12

    func sharedAnna() async throws -> (PortalActor, AccountPersonRecord) {
        var shared = world.anna
        shared.isShared = true
        let person = try await AccountPeople(database: db).add(userId: shared.userId, firstName: "Eva", lastName: "Ek",
                                                                email: "eva@example.com", phone: nil)
        return (shared, person)
    }

    func testOnASharedAccountNotOKIsWrittenByTheChosenPerson() async throws {
        let (shared, person) = try await sharedAnna()
        try await move(world.caseA, to: .resolved)
        let missing = try await AnswerApproval.run(.init(caseNumber: world.caseA.number, answer: .notOK(comment: "Läcker"),
                                                         language: .sv), by: shared, in: world.context)
        XCTAssertEqual(missing.problems?[.author(.person)], "person_choose")
        let done = try await AnswerApproval.run(.init(caseNumber: world.caseA.number, answer: .notOK(comment: "Läcker"),
                                                      language: .sv, author: .saved(personId: person.id!)),
                                                by: shared, in: world.context).value
        XCTAssertEqual(done, .rejected(caseNumber: world.caseA.number))
        let message = try await CaseMessageRecord.query(on: db).filter(\.$caseId == world.caseA.id!).sort(\.$id).all().last
        XCTAssertEqual(message?.authorName, "Eva Ek")
        XCTAssertEqual(message?.authorPersonId, person.id)
        let events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.first { $0.event == .rejected }?.actor.name, "Eva Ek")
        let notice = try await world.outbox(of: world.caseA).first { $0.kind == "handler_customer_message" }
        XCTAssertEqual(notice?.body.hasPrefix("Eva Ek wrote"), true)
    }

    func testOnASharedAccountUploadsAreByTheChosenPerson() async throws {
        let (shared, person) = try await sharedAnna()
        let files: [AttachUploadedFiles.StoredUpload] = [.init(storageKey: "k1", originalName: "bild.jpg", contentType: "image/jpeg",
                                                               byteSize: 10)]
        let problem = try await AttachUploadedFiles.authorProblem(.none, by: shared, in: world.context)
        XCTAssertEqual(problem, "person_choose")
        do {
            _ = try await AttachUploadedFiles.run(.init(caseNumber: world.caseA.number, files: files, language: .sv),
                                                  by: shared, in: world.context)
            XCTFail("a shared account must say who uploads")
        } catch OperationError.notAllowedNow {}
        _ = try await AttachUploadedFiles.run(.init(caseNumber: world.caseA.number, files: files, language: .sv,
                                                    author: .saved(personId: person.id!)), by: shared, in: world.context)
        let stored = try await VisibleFiles(database: db).caseFiles(caseId: world.caseA.id!)
        XCTAssertEqual(stored.map(\.uploaderName), ["Eva Ek"])
        let events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.first { if case .filesUploaded = $0.event { return true }; return false }?.actor.name, "Eva Ek")
        let personal = try await AttachUploadedFiles.authorProblem(.none, by: world.anna, in: world.context)
        XCTAssertNil(personal, "a personal account is its own author")
    }

    func testOnASharedAccountAnEmptyCopyAddressIsTheChosenPersons() async throws {
        let (shared, person) = try await sharedAnna()
        let input = RegisterCase.Input(typeId: nil, subject: "Dörr", description: "Trasig", category: .none, customer: .none,
                                       object: ChosenId(world.caseA.objectId), workSiteAddress: "", referenceName: "",
                                       copyEmail: " ", smsPhone: nil, fieldValues: [:], author: .saved(personId: person.id!),
                                       language: .sv)
        let outcome = try await RegisterCase.run(input, by: shared, in: world.context)
        guard case .caseCreated(let number)? = outcome.value else { return XCTFail("\(outcome)") }
        let made = try await CaseRecord.query(on: db).filter(\.$number == number).first()
        let record = try XCTUnwrap(made)
        XCTAssertEqual(record.copyEmail, "eva@example.com")
        let copy = try await world.outbox(of: record).first { $0.kind == "case_copy" }
        XCTAssertEqual(copy?.recipient, "eva@example.com")
        // A personal account still has to type one.
        var personal = input
        personal.author = .none
        let problems = try await RegisterCase.check(personal, by: world.anna, in: world.context)
        XCTAssertEqual(problems[.copyEmail], ProblemKey.required)
    }

    // MARK: Point 14

    func testARegisteredUserIsLinkedWhenTheirAddressLaterAppearsOnAContactOfTheirOrganisation() async throws {
        let customerA = try XCTUnwrap(world.caseA.customerId), customerB = try XCTUnwrap(world.caseB.customerId)
        let waiting = PortalUserRecord(organisationId: customerA, username: "vera@example.com", loginKind: .contact,
                                       firstName: "Vera", lastName: "V", email: "vera@example.com", passwordHash: "x")
        try await waiting.create(on: db)
        let admin = StaffActor(staffId: world.handler.staffId, name: "Admin", isAdmin: true)
        // A contact of another customer with the address never links.
        let foreign = try await contact("Vera B", email: "vera@example.com", customer: customerB)
        _ = try await SaveContact.run(.init(contactId: foreign.id, firstName: "Vera", lastName: "B", email: "vera@example.com",
                                            phone: "", isActive: true), by: admin, in: world.context)
        var stored = try await user(waiting.id!)
        XCTAssertNil(stored.contactId)
        // Staff create the contact (not yet anyone's), then link it to the user's organisation.
        let created = try await SaveContact.run(.init(contactId: nil, firstName: "Vera", lastName: "V", email: "Vera@Example.com",
                                                      phone: "", isActive: true), by: admin, in: world.context)
        let contactId = try XCTUnwrap(created.value?.contactId)
        stored = try await user(waiting.id!)
        XCTAssertNil(stored.contactId, "a contact of no organisation links nobody")
        _ = try await LinkContact.add(.customer(number: "1"), toContact: contactId, by: admin, in: world.context)
        stored = try await user(waiting.id!)
        XCTAssertEqual(stored.contactId, contactId)
        let audit = try await AuditEventRecord.query(on: db).filter(\.$subject == "portal user \(waiting.id!)").all()
        XCTAssertEqual(audit.compactMap(\.details), ["linked to contact \(contactId) by its e-mail address"])
        // Anna already has... no contact; her address is not on any contact, so she stays unlinked.
        let anna = try await user(world.anna.userId)
        XCTAssertNil(anna.contactId)
    }

    func testAContactEditedToTheAddressLinksTheWaitingUser() async throws {
        let customerA = try XCTUnwrap(world.caseA.customerId)
        let waiting = PortalUserRecord(organisationId: customerA, username: "olle", loginKind: .contact,
                                       firstName: "Olle", lastName: "O", email: "olle@example.com", passwordHash: "x")
        try await waiting.create(on: db)
        let admin = StaffActor(staffId: world.handler.staffId, name: "Admin", isAdmin: true)
        let existing = try await contact("Olle", email: "gammal@example.com", customer: customerA)
        _ = try await SaveContact.run(.init(contactId: existing.id, firstName: "Olle", lastName: "O", email: "olle@example.com",
                                            phone: "", isActive: true), by: admin, in: world.context)
        let stored = try await user(waiting.id!)
        XCTAssertEqual(stored.contactId, existing.id)
    }

    // MARK: Point 15

    func testTheNewCaseSettingsAreSavedWithAuditLinesAndTheReminderDaysChecked() async throws {
        let admin = StaffActor(staffId: world.handler.staffId, name: "Admin", isAdmin: true)
        func input(days: String) -> SaveSettings.Input {
            SaveSettings.Input(intake: "cases", loginField: "any", passwordMinimumLength: "6", smsEnabled: false,
                               selfRegistrationOpen: false, customerMayEditCategory: false, customerMayEditPriority: false,
                               passwordRequiresDigit: true, passwordRequiresUppercase: true, passwordForbidsLetters: false,
                               extraListColumns: [], customerRequired: true, objectRequired: false, categoryRequired: true,
                               approvalReminderDays: days)
        }
        for bad in ["0", "366", "två"] {
            let refused = try await SaveSettings.run(input(days: bad), by: admin, in: world.context)
            XCTAssertEqual(refused.problems?[.approvalReminderDays], "settings_error_reminder_days", bad)
        }
        _ = try await SaveSettings.run(input(days: " 7 "), by: admin, in: world.context)
        var settings = try await SettingsStore(database: db).load()
        XCTAssertEqual(settings.approvalReminderDays, 7)
        XCTAssertTrue(settings.customerRequired)
        XCTAssertTrue(settings.categoryRequired)
        XCTAssertFalse(settings.objectRequired)
        let audit = try await AuditEventRecord.query(on: db).all().compactMap(\.details)
        XCTAssertTrue(audit.contains("approval_reminder_days:  → 7"), "\(audit)")
        XCTAssertTrue(audit.contains("category_required: no → yes") || audit.contains { $0.hasPrefix("category_required:") })
        _ = try await SaveSettings.run(input(days: ""), by: admin, in: world.context)
        settings = try await SettingsStore(database: db).load()
        XCTAssertNil(settings.approvalReminderDays, "empty: the deployment's default again")
    }

    func testMandatoryCategoryCustomerAndObjectAreEnforcedWithClearMessages() async throws {
        let category = CategoryRecord(name: "Vatten")
        try await category.create(on: db)
        var settings = try await SettingsStore(database: db).load()
        settings.categoryRequired = true
        settings.objectRequired = true
        try await SettingsStore(database: db).save(settings)
        var input = RegisterCase.Input(typeId: nil, subject: "Dörr", description: "Trasig", category: .none, customer: .none,
                                       object: .none, workSiteAddress: "", referenceName: "", copyEmail: nil, smsPhone: nil,
                                       fieldValues: [:], author: .none, language: .sv)
        var problems = try await RegisterCase.check(input, by: world.anna, in: world.context)
        XCTAssertEqual(problems[.category], "new_case_error_category_required")
        XCTAssertEqual(problems[.object], "new_case_error_object_required")
        settings.objectRequired = false
        settings.customerRequired = true
        try await SettingsStore(database: db).save(settings)
        problems = try await RegisterCase.check(input, by: world.anna, in: world.context)
        XCTAssertNil(problems[.object])
        input.category = ChosenId(category.id)
        input.object = ChosenId(world.caseA.objectId)
        problems = try await RegisterCase.check(input, by: world.anna, in: world.context)
        XCTAssertTrue(problems.isEmpty, "\(problems)")
        // Without any category to choose, "category mandatory" cannot block a case.
        try await category.delete(on: db)
        input.category = .none
        problems = try await RegisterCase.check(input, by: world.anna, in: world.context)
        XCTAssertNil(problems[.category])
    }
}
