import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// A case's messages as the portal reads them (public only, newest first, limited), read markers,
/// and the customer's edits.
final class CaseConversationTests: StoreTestCase {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func testPublicMessagesLeaveNotesOutNewestFirstAndLimited() async throws {
        let record = try await make.case("Fall", origin: .backOffice)
        let conversation = CaseConversation(database: db)
        let people = try await make.authors()
        let anna = people.customer, berit = people.staff
        try await conversation.add(caseId: record.id!, author: anna, body: "Första", at: start)
        try await conversation.add(caseId: record.id!, author: berit, body: "Intern", isInternal: true, at: start.addingTimeInterval(1))
        try await conversation.add(caseId: record.id!, author: berit, body: "Svar", at: start.addingTimeInterval(2))
        let other = try await make.case("Annat fall")
        try await conversation.add(caseId: other.id!, author: anna, body: "Annat", at: start)

        let messages = try await conversation.publicMessages(caseId: record.id!)
        XCTAssertEqual(messages.map(\.body), ["Svar", "Första"])
        XCTAssertEqual(messages.map(\.authorKind), [.staff, .customer])
        XCTAssertEqual(messages.last?.authorName, "Anna")
        let newest = try await conversation.publicMessages(caseId: record.id!, limit: 1)
        XCTAssertEqual(newest.map(\.body), ["Svar"])
    }

    /// A case view's page of messages and their count come from one statement (issue 17); notes are in neither.
    func testAPageOfPublicMessagesComesWithTheirCount() async throws {
        let record = try await make.case("Fall", origin: .backOffice)
        let conversation = CaseConversation(database: db)
        let people = try await make.authors()
        for n in 0..<5 {
            try await conversation.add(caseId: record.id!, author: people.customer, body: "Meddelande \(n)", at: start.addingTimeInterval(Double(n)))
        }
        try await conversation.add(caseId: record.id!, author: people.staff, body: "Intern", isInternal: true, at: start.addingTimeInterval(10))
        let first = try await conversation.publicMessagesPage(caseId: record.id!, limit: 2, offset: 0)
        XCTAssertEqual(first?.messages.map(\.body), ["Meddelande 4", "Meddelande 3"])
        XCTAssertEqual(first?.total, 5, "every public message, not just the page's")
        let last = try await conversation.publicMessagesPage(caseId: record.id!, limit: 2, offset: 4)
        XCTAssertEqual(last?.messages.map(\.body), ["Meddelande 0"])
        XCTAssertEqual(last?.total, 5)
        let past = try await conversation.publicMessagesPage(caseId: record.id!, limit: 2, offset: 6)
        XCTAssertNil(past, "past the last message: the caller counts and asks again")
        let empty = try await make.case("Tomt")
        let none = try await conversation.publicMessagesPage(caseId: empty.id!, limit: 2, offset: 0)
        XCTAssertEqual(none?.messages.count, 0)
        XCTAssertEqual(none?.total, 0)
    }

    /// Whom the customer may reach comes with the case (issue 17): the handler while their account is active.
    func testTheCaseDetailNamesItsActiveHandler() async throws {
        let handler = try await make.staff("Berit")
        let handled = try await make.case("Fall") { $0.handlerId = handler.id }
        let unhandled = try await make.case("Annat")
        let cases = StaffCases(database: db)
        var detail = try await cases.detail(number: handled.number)
        XCTAssertEqual(detail?.handlerName, "Berit")
        XCTAssertEqual(detail?.handlerEmail, "berit@service.example")
        detail = try await cases.detail(number: unhandled.number)
        XCTAssertNil(detail?.handlerName)
        handler.isActive = false
        try await handler.save(on: db)
        detail = try await cases.detail(number: handled.number)
        XCTAssertNil(detail?.handlerName, "a deactivated account is nobody to reach")
        XCTAssertNil(detail?.handlerEmail)
    }

    func testAMessageMarksActivityQueuesItsNotificationsAndIsFoundBySearch() async throws {
        let record = try await make.case("Fall", origin: .backOffice)
        let conversation = CaseConversation(database: db)
        let mail = OutboxRecord(kind: .messageCopy, recipient: "berit@example.org", language: "sv", subject: "s", body: "b")
        let anna = try await make.authors().customer
        try await conversation.add(caseId: record.id!, author: anna,
                                   body: "Elementet är kallt", notifications: [mail], at: start)
        let stored = try await make.reload(record)
        XCTAssertEqual(stored.lastActivityAt, start)
        XCTAssertTrue(stored.hasUnreadActivity)
        let queued = try await OutboxRecord.query(on: db).all()
        XCTAssertEqual(queued.map(\.caseId), [record.id])
        var filter = StaffCaseFilter()
        filter.base.text = "elementet"
        let found = try await StaffCases(database: db).page(filter, offset: 0, limit: 10)
        XCTAssertEqual(found.map(\.id), [record.id!], "the message's words are indexed with the case")
    }

    /// One row per user and case; a visit moves it on only when the case changed since the last visit
    /// (a visit that finds nothing new writes nothing, issue 17), so the marker reads the same.
    func testMarkSeenRecordsTheVisitThatSawTheLatestActivity() async throws {
        let record = try await make.case("Fall")
        let activity = start.addingTimeInterval(1_000)
        func activityAt(_ at: Date) async throws {
            try await CaseRecord.query(on: db).filter(\.$id == record.id!).set(\.$lastActivityAt, to: at).update()
        }
        try await activityAt(activity)
        let conversation = CaseConversation(database: db)
        let anna = try await make.authors().userId
        func seen() async throws -> [Date] { try await CaseReadRecord.query(on: db).all().map(\.seenAt) }
        try await conversation.markSeen(caseId: record.id!, userId: anna, at: start)
        var reads = try await seen()
        XCTAssertEqual(reads, [start], "the first visit")
        try await conversation.markSeen(caseId: record.id!, userId: anna, at: activity.addingTimeInterval(5))
        reads = try await seen()
        XCTAssertEqual(reads, [activity.addingTimeInterval(5)], "the case changed after the last visit")
        try await conversation.markSeen(caseId: record.id!, userId: anna, at: activity.addingTimeInterval(60))
        reads = try await seen()
        XCTAssertEqual(reads, [activity.addingTimeInterval(5)], "nothing new since: nothing written")
        try await activityAt(activity.addingTimeInterval(100))
        try await conversation.markSeen(caseId: record.id!, userId: anna, at: activity.addingTimeInterval(120))
        reads = try await seen()
        XCTAssertEqual(reads, [activity.addingTimeInterval(120)])
    }

    func testClassificationAndFieldValues() async throws {
        let category = CategoryRecord(name: "VVS")
        try await category.create(on: db)
        let priority = PriorityRecord(name: "Hög", rank: 1)
        try await priority.create(on: db)
        let record = try await make.case("Fall") { new in
            new.fieldValues = [.init(fieldId: nil, label: "Våning", value: "3"), .init(fieldId: nil, label: "Port", value: "B")]
        }
        let conversation = CaseConversation(database: db)
        try await conversation.updateClassification(caseId: record.id!, categoryId: category.id, priorityId: priority.id, at: start)
        var stored = try await make.reload(record)
        XCTAssertEqual(stored.categoryId, category.id)
        XCTAssertEqual(stored.priorityId, priority.id)
        try await conversation.updateClassification(caseId: record.id!, categoryId: nil, priorityId: nil, at: start)
        stored = try await make.reload(record)
        XCTAssertNil(stored.categoryId)
        let fields = try await conversation.fieldValues(caseId: record.id!)
        XCTAssertEqual(fields.map(\.label), ["Våning", "Port"], "in the order the form had them")
        XCTAssertEqual(fields.map(\.value), ["3", "B"])
        XCTAssertEqual(fields.map(\.fieldId), [nil, nil])
        XCTAssertEqual(Set(fields.map(\.caseId)), [record.id!])
        XCTAssertEqual(Set(fields.compactMap(\.id)).count, 2, "each with its own id")
    }
}
