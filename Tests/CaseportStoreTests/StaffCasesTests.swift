import CaseportCore
@testable import CaseportStore
import FluentKit
import XCTest

/// The back office's case list and case changes: filters, newest-first paging, a capped count,
/// stale edits refused, only workflow transitions, notes kept out of the portal.
final class StaffCasesTests: StoreTestCase {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func testPageFiltersSortsNewestFirstAndPages() async throws {
        let c1 = try await make.customer("1", name: "Solgläntan"), c2 = try await make.customer("2")
        let handler = try await make.staff("Berit")
        let urgent = PriorityRecord(name: "Akut", rank: 1)
        try await urgent.create(on: db)
        var made: [CaseRecord] = []
        for n in 0..<5 {
            made.append(try await make.case("Fall \(n)", customer: n < 3 ? c1 : c2, origin: .backOffice,
                                            createdAt: start.addingTimeInterval(Double(n) * 60)) { new in
                if n == 1 { new.handlerId = handler.id }
                if n == 2 { new.priorityId = urgent.id }
            })
        }
        let cases = StaffCases(database: db)
        let all = try await cases.page(StaffCaseFilter(), offset: 0, limit: 10)
        XCTAssertEqual(all.map(\.subject), ["Fall 4", "Fall 3", "Fall 2", "Fall 1", "Fall 0"])
        XCTAssertEqual(all.last?.customerName, "Solgläntan")
        XCTAssertEqual(all.first(where: { $0.subject == "Fall 1" })?.handlerName, "Berit")
        XCTAssertEqual(all.first(where: { $0.subject == "Fall 2" })?.priorityName, "Akut")
        let second = try await cases.page(StaffCaseFilter(), offset: 2, limit: 2)
        XCTAssertEqual(second.map(\.subject), ["Fall 2", "Fall 1"])

        var filter = StaffCaseFilter()
        filter.base.customerId = c1.id
        var page = try await cases.page(filter, offset: 0, limit: 10)
        XCTAssertEqual(page.map(\.subject), ["Fall 2", "Fall 1", "Fall 0"])
        filter = StaffCaseFilter()
        filter.handlerId = handler.id
        page = try await cases.page(filter, offset: 0, limit: 10)
        XCTAssertEqual(page.map(\.subject), ["Fall 1"])
        filter = StaffCaseFilter()
        filter.unassigned = true
        let unassigned = try await cases.count(filter)
        XCTAssertEqual(unassigned, 4)
        filter = StaffCaseFilter()
        filter.priorityId = urgent.id
        page = try await cases.page(filter, offset: 0, limit: 10)
        XCTAssertEqual(page.map(\.subject), ["Fall 2"])

        let capped = try await cases.count(StaffCaseFilter(), cap: 3)
        XCTAssertEqual(capped, 4, "counting stops at cap + 1")
        let exact = try await cases.count(StaffCaseFilter())
        XCTAssertEqual(exact, 5)
        let byNumber = try await cases.find(number: made[3].number)
        XCTAssertEqual(byNumber?.subject, "Fall 3")
    }

    /// The case report's detail for staff: the portal's `CaseDetail` shape, for any case, no scope.
    func testDetailJoinsTheNamesForAnyCase() async throws {
        let customer = try await make.customer("1", name: "Brf Solgläntan")
        let object = try await make.object(of: customer, "Hus A")
        let made = try await make.case("Läcka", customer: customer, object: object, origin: .portal)
        let detail = try await StaffCases(database: db).detail(number: made.number)
        XCTAssertEqual(detail?.id, made.id)
        XCTAssertEqual(detail?.subject, "Läcka")
        XCTAssertEqual(detail?.customerName, "Brf Solgläntan")
        XCTAssertEqual(detail?.objectName, "Hus A")
        XCTAssertEqual(detail?.origin, .portal)
        let missing = try await StaffCases(database: db).detail(number: made.number + 1000)
        XCTAssertNil(missing)
    }

    func testUnreadActivityIsCountedFilteredAndCleared() async throws {
        let portal = try await make.case("Från portalen", origin: .portal)
        _ = try await make.case("Från kontoret", origin: .backOffice)
        let cases = StaffCases(database: db)
        var unread = try await cases.countUnread()
        XCTAssertEqual(unread, 1, "a case from the portal is news for the back office")
        var filter = StaffCaseFilter()
        filter.unreadOnly = true
        let page = try await cases.page(filter, offset: 0, limit: 10)
        XCTAssertEqual(page.map(\.id), [portal.id!])
        XCTAssertEqual(page.first?.hasUnreadActivity, true)
        try await cases.markRead(caseId: portal.id!)
        unread = try await cases.countUnread()
        XCTAssertEqual(unread, 0)
        let people = try await make.authors()
        try await CaseConversation(database: db).add(caseId: portal.id!, author: people.customer, body: "Hej")
        try await CaseConversation(database: db).add(caseId: portal.id!, author: people.staff, body: "Svar")
        unread = try await cases.countUnread()
        XCTAssertEqual(unread, 1, "a customer's message is unread activity; staff's own is not")
        // The badge's count stops one past its cap ("more than cap").
        _ = try await make.case("Till", origin: .portal)
        _ = try await make.case("Tre", origin: .portal)
        let capped = try await cases.countUnread(cap: 1), uncapped = try await cases.countUnread(cap: 3)
        XCTAssertEqual(capped, 2)
        XCTAssertEqual(uncapped, 3)
        // The list reads the badge with its page, in the same statement; an empty page counts on its own.
        let everything = try await cases.pageAndUnread(StaffCaseFilter(), offset: 0, limit: 10, unreadCap: 3)
        let allRows = try await cases.page(StaffCaseFilter(), offset: 0, limit: 10)
        XCTAssertEqual(everything.rows.map(\.id), allRows.map(\.id))
        XCTAssertEqual(allRows.count, 4)
        XCTAssertEqual(everything.unread, 3)
        let withPage = try await cases.pageAndUnread(StaffCaseFilter(), offset: 0, limit: 2, unreadCap: 1)
        XCTAssertEqual(withPage.rows.count, 2)
        XCTAssertEqual(withPage.unread, 2, "capped as the badge's own count")
        let pastTheEnd = try await cases.pageAndUnread(StaffCaseFilter(), offset: 50, limit: 10, unreadCap: 3)
        XCTAssertEqual(pastTheEnd.rows.count, 0)
        XCTAssertEqual(pastTheEnd.unread, 3)
        let fourth = try await make.case("Fyra", origin: .portal)
        try await cases.markRead(caseId: fourth.id!)
        unread = try await cases.countUnread(cap: 3)
        XCTAssertEqual(unread, 3)
        // D4: "mark all" is the handler's own cases only; a colleague's case stays unread for them.
        let other = try await make.case("Bertis", origin: .portal) { $0.handlerId = people.staffId }
        let colleague = try await make.staff("Kollega")
        let theirs = try await make.case("Kollegans ärende", origin: .portal) { $0.handlerId = colleague.id }
        var marked = try await cases.markAllRead(handlerId: people.staffId, at: start)
        XCTAssertEqual(marked, 1, "only the portal case assigned to Berit")
        let (bertis, nobodys, klaras) = (try await make.reload(other), try await make.reload(portal), try await make.reload(theirs))
        XCTAssertFalse(bertis.hasUnreadActivity)
        XCTAssertEqual(bertis.staffReadAt, start.timeIntervalSince1970)
        XCTAssertTrue(nobodys.hasUnreadActivity, "a case without a handler is not Berit's")
        XCTAssertTrue(klaras.hasUnreadActivity)
        marked = try await cases.markAllRead(handlerId: people.staffId, at: start)
        XCTAssertEqual(marked, 0)
    }

    /// The staff case page's plain-SQL read (`StaffCaseFacts`) gives each column as the model does, set or not.
    func testCaseFactsAreTheModelsColumns() async throws {
        let customer = try await make.customer("5", name: "Brf Eken")
        let handler = try await make.staff("Berit")
        let urgent = PriorityRecord(name: "Akut", rank: 1)
        try await urgent.create(on: db)
        let full = try await make.case("Läcka ' \"x\"", customer: customer, status: .waitingForCustomer, origin: .portal,
                                       createdAt: start, description: "Rad 1\nRad 2 ●") { new in
            (new.handlerId, new.priorityId, new.createdByStaffId) = (handler.id, urgent.id, handler.id)
            (new.workSiteAddress, new.referenceName, new.copyEmail, new.smsPhone) = ("Gatan 1", "Ref", "kopia@example.com", "070-1")
        }
        (full.hasUnreadActivity, full.staffReadAt, full.legalHoldReason) = (true, 1_700_000_123.5, "Tvist")
        try await full.save(on: db)
        let bare = try await make.case("Tom", origin: .backOffice, createdAt: start.addingTimeInterval(60))
        let cases = StaffCases(database: db)
        for made in [full, bare] {
            let record = try await make.reload(made)
            let found = try await cases.facts(number: record.number)
            let facts = try XCTUnwrap(found)
            XCTAssertEqual(facts, StaffCaseFacts(
                id: record.id!, number: record.number, version: record.version, status: record.status, subject: record.subject,
                description: record.description, categoryId: record.categoryId, caseTypeId: record.caseTypeId, priorityId: record.priorityId,
                handlerId: record.handlerId, supplierId: record.supplierId, customerId: record.customerId, objectId: record.objectId,
                workSiteAddress: record.workSiteAddress, referenceName: record.referenceName, copyEmail: record.copyEmail, smsPhone: record.smsPhone,
                createdByName: record.createdByName, createdByUserId: record.createdByUserId, createdByStaffId: record.createdByStaffId,
                createdByPersonId: record.createdByPersonId, origin: record.origin, createdAt: record.createdAt,
                hasUnreadActivity: record.hasUnreadActivity, staffReadAt: record.staffReadAt, legalHoldReason: record.legalHoldReason,
                parts: .init(hasChats: false, hasBudget: false, isClaim: false, hasFieldValues: false)))
        }
        let shown = try await cases.facts(number: full.number)
        XCTAssertEqual(shown?.legalHoldReason, "Tvist")
        XCTAssertEqual(shown?.status, .waitingForCustomer)
        let missing = try await cases.facts(number: 999_999)
        XCTAssertNil(missing)
    }

    func testUnreadActivityNamesTheCustomersMessagesAndUploadsSinceTheLastRead() async throws {
        let record = try await make.case("Läcka", origin: .portal)
        let people = try await make.authors()
        let conversation = CaseConversation(database: db)
        let cases = StaffCases(database: db)
        try await conversation.add(caseId: record.id!, author: people.customer, body: "Före", at: start)
        try await cases.markRead(caseId: record.id!, at: start.addingTimeInterval(10))
        var activity = try await CaseUnreadActivity.load(for: try await cases.facts(number: record.number)!, on: db)
        XCTAssertTrue(activity.isEmpty, "nothing is unread after marking read")
        try await conversation.add(caseId: record.id!, author: people.customer, body: "Efter", at: start.addingTimeInterval(20))
        try await conversation.add(caseId: record.id!, author: people.staff, body: "Svar", at: start.addingTimeInterval(25))
        let upload = StoredFileRecord()
        (upload.caseId, upload.storageKey, upload.originalName, upload.contentType) = (record.id!, "ab12", "bild.png", "image/png")
        (upload.byteSize, upload.uploadedByUserId, upload.uploaderName) = (10, people.userId, "Anna")
        upload.createdAt = start.addingTimeInterval(30)
        try await VisibleFiles(database: db).addToCase(upload, message: "Laddade upp bild.png", author: people.customer,
                                                       at: start.addingTimeInterval(30))
        activity = try await CaseUnreadActivity.load(for: try await cases.facts(number: record.number)!, on: db)
        XCTAssertEqual(activity.messages.map(\.body), ["Efter"], "the message before the read, staff's reply and the upload's own line are not named")
        XCTAssertEqual(activity.files.map(\.originalName), ["bild.png"])
    }

    func testCaseContactsAreListedLinkedAndUnlinkedButThePrimaryStays() async throws {
        let customer = try await make.customer("77", name: "Brf Linden")
        let anna = ContactRecord(firstName: "Anna", lastName: "Berg", email: "anna@example.com")
        let bo = ContactRecord(firstName: "Bo", lastName: "Ek")
        try await anna.create(on: db)
        try await bo.create(on: db)
        try await ContactCustomerLink(contactId: bo.id!, customerId: customer.id!).create(on: db)
        let record = try await make.case("Hiss", customer: customer, contacts: [anna])
        let contacts = CaseContacts(database: db)
        let candidates = try await contacts.candidates(customerId: customer.id, objectId: nil)
        XCTAssertEqual(candidates.map(\.id), [bo.id], "the customer's contacts")
        try await contacts.link(caseId: record.id!, contactId: bo.id!)
        var linked = try await contacts.linked(caseId: record.id!)
        XCTAssertEqual(linked.map(\.name), ["Anna Berg", "Bo Ek"])
        XCTAssertEqual(linked.map(\.isPrimary), [true, false])
        let primaryRemoved = try await contacts.unlink(caseId: record.id!, contactId: anna.id!)
        XCTAssertFalse(primaryRemoved)
        let removed = try await contacts.unlink(caseId: record.id!, contactId: bo.id!)
        XCTAssertTrue(removed)
        linked = try await contacts.linked(caseId: record.id!)
        XCTAssertEqual(linked.map(\.name), ["Anna Berg"])
    }

    func testAnEditFromAStalePageIsRefusedAndARealEditBumpsTheVersion() async throws {
        let record = try await make.case("Läckande kran", origin: .backOffice)
        let actor = try await make.authors().actor
        let cases = StaffCases(database: db)
        let subject = StaffCases.Change(field: .plain(.subject), before: "Läckande kran", after: "Droppande kran") { $0.subject = "Droppande kran" }
        try await cases.edit(caseId: record.id!, expectedVersion: 1, changes: [subject], by: actor, at: start)
        var stored = try await make.reload(record)
        XCTAssertEqual(stored.subject, "Droppande kran")
        XCTAssertEqual(stored.version, 2)
        do {
            try await cases.edit(caseId: record.id!, expectedVersion: 1, changes: [subject], by: actor)
            XCTFail("an edit from a page showing version 1 must be refused")
        } catch let error as StaffCases.ChangeError {
            XCTAssertEqual(error, .stale)
        }
        let unchanged = StaffCases.Change(field: .plain(.subject), before: "x", after: "x") { $0.subject = "aldrig" }
        try await cases.edit(caseId: record.id!, expectedVersion: 2, changes: [unchanged], by: actor)
        stored = try await make.reload(record)
        XCTAssertEqual(stored.version, 2, "a form saved without changes changes nothing")
        let events = try await cases.events(caseId: record.id!)
        XCTAssertEqual(events.map(\.event), [.fieldChanged(.subject, before: "Läckande kran", after: "Droppande kran")])
        XCTAssertEqual(events.first?.actor.name, "Berit")
    }

    func testStatusMovesOnlyAlongTheWorkflowAndResolvingStartsTheApprovalClock() async throws {
        let record = try await make.case("Fall", origin: .backOffice)
        let actor = try await make.authors().actor
        let cases = StaffCases(database: db)
        try await cases.changeStatus(caseId: record.id!, to: .resolved, expectedVersion: 1, by: actor, at: start)
        var stored = try await make.reload(record)
        XCTAssertEqual(stored.status, .resolved)
        XCTAssertEqual(stored.resolvedAt, start.timeIntervalSince1970)
        do {
            try await cases.changeStatus(caseId: record.id!, to: .open, expectedVersion: 2, by: actor)
            XCTFail("resolved → open is not a workflow step")
        } catch let error as StaffCases.ChangeError {
            XCTAssertEqual(error, .transitionNotAllowed(from: .resolved, to: .open))
        }
        do {
            try await cases.changeStatus(caseId: 999_999, to: .open, expectedVersion: 1, by: actor)
            XCTFail("no such case")
        } catch let error as StaffCases.ChangeError {
            XCTAssertEqual(error, .notFound)
        }
        try await cases.changeStatus(caseId: record.id!, to: .reopened, expectedVersion: 2, by: actor)
        stored = try await make.reload(record)
        XCTAssertEqual(stored.status, .reopened)
        XCTAssertNil(stored.resolvedAt)
        XCTAssertEqual(stored.version, 3)
    }

    func testNotesStayOutOfThePortalAndNeverNotify() async throws {
        let record = try await make.case("Fall", origin: .backOffice)
        let actor = try await make.authors().actor
        let cases = StaffCases(database: db)
        let mail = OutboxRecord(kind: .messageCopy, recipient: "anna@example.org", language: "sv", subject: "s", body: "b")
        try await cases.addMessage(caseId: record.id!, body: "Vi kommer i morgon", isInternal: false, by: actor,
                                   notifications: [mail], at: start)
        let noteMail = OutboxRecord(kind: .messageCopy, recipient: "anna@example.org", language: "sv", subject: "s", body: "b")
        try await cases.addMessage(caseId: record.id!, body: "Kunden är sur", isInternal: true, by: actor,
                                   notifications: [noteMail], at: start.addingTimeInterval(60))
        let all = try await cases.allMessages(caseId: record.id!)
        XCTAssertEqual(all.map(\.body), ["Kunden är sur", "Vi kommer i morgon"])
        let portal = try await CaseConversation(database: db).publicMessages(caseId: record.id!)
        XCTAssertEqual(portal.map(\.body), ["Vi kommer i morgon"])
        let queued = try await OutboxRecord.query(on: db).all()
        XCTAssertEqual(queued.count, 1, "an internal note sends nothing")
        XCTAssertEqual(queued.first?.caseId, record.id)
        let limited = try await cases.allMessages(caseId: record.id!, limit: 1)
        XCTAssertEqual(limited.map(\.body), ["Kunden är sur"])
    }
}
