import CaseportCore
@testable import CaseportStore
import FluentKit
import Foundation
import XCTest

/// Issue 13 (C1): the claim's customer feed and the page's reads, on SQLite and PostgreSQL.
final class ClaimPageTests: StoreTestCase {
    /// Every event kind's examples with the feed entry each must give — written out by hand, not
    /// computed by `ClaimFeedEntry.entry(for:)`. The switch makes a new kind a compile error here.
    static func examples(of kind: CaseEvent.Kind) -> [(CaseEvent, ClaimFeedEntry?)] {
        switch kind {
        case .created: return [(.created(channel: .backOffice), nil)]
        case .createdFromInquiry: return [(.createdFromInquiry, nil)]
        case .statusChanged:
            return [(.statusChanged(from: .open, to: .closed), .caseClosed), (.statusChanged(from: .closed, to: .reopened), .caseReopened),
                    (.statusChanged(from: .new, to: .open), nil)]
        case .fieldChanged: return [(.fieldChanged(.subject, before: "A", after: "B"), nil)]
        case .handlerChanged: return [(.handlerChanged(before: nil, after: "Rie"), nil)]
        case .supplierChanged: return [(.supplierChanged(before: nil, after: "Easyfix"), nil)]
        case .staffMessage: return [(.staffMessage, .messageToCustomer)]
        case .internalNote: return [(.internalNote, nil)]
        case .customerMessage: return [(.customerMessage, nil)]
        case .emailReply: return [(.emailReply, nil)]
        case .filesUploaded: return [(.filesUploaded(names: ["a.jpg"]), nil)]
        case .fileRemoved: return [(.fileRemoved(name: "a.jpg"), nil)]
        case .classificationChanged: return [(.classificationChanged(category: nil, priority: nil), nil)]
        case .approved: return [(.approved, nil)]
        case .rejected: return [(.rejected, nil)]
        case .autoApproved: return [(.autoApproved, nil)]
        case .approvalReminderSent: return [(.approvalReminderSent, nil)]
        case .contactLinked: return [(.contactLinked(name: "Bente"), nil)]
        case .contactUnlinked: return [(.contactUnlinked(name: "Bente"), nil)]
        case .articleRowBooked: return [(.articleRowBooked(article: "A", quantity: "1", workOrder: nil), nil)]
        case .articleRowRemoved: return [(.articleRowRemoved(article: "A", quantity: "1"), nil)]
        case .workOrderCreated: return [(.workOrderCreated(workOrder: 1, title: "W"), nil)]
        case .workOrderChanged: return [(.workOrderChanged(workOrder: 1, title: "W"), nil)]
        case .workOrderStateChanged: return [(.workOrderStateChanged(workOrder: 1, from: .draft, to: .sent), nil)]
        case .specificationCreated: return [(.specificationCreated(number: 1), nil)]
        case .specificationApproved: return [(.specificationApproved(number: 1), nil)]
        case .specificationRejected: return [(.specificationRejected(number: 1), nil)]
        case .callLogged:
            return [(.callLogged(caller: "Rie", callee: "Bente", answered: true, seconds: 95), .callHistory),
                    (.callLogged(caller: "Rie", callee: "Bente", answered: false, seconds: 0), .callHistory)]
        case .expertAssigned: return [(.expertAssigned(name: "Ole Skov"), .expertAssigned)]
        case .taskAdded: return [(.taskAdded(task: 2, kind: .repair, title: "Tømrerarbejde"), .tasksAdded)]
        case .taskStarted:
            return [(.taskStarted(task: 1, kind: .mainInspection, title: "Besigtigelse"), .mainInspectionStarted),
                    (.taskStarted(task: 2, kind: .repair, title: "Tømrerarbejde"), .taskStartedFinished)]
        case .taskFinished:
            return [(.taskFinished(task: 1, kind: .mainInspection, title: "Besigtigelse"), .mainInspectionFinished),
                    (.taskFinished(task: 3, kind: .other, title: "Affugtning"), .taskStartedFinished)]
        case .taskScheduleChanged: return [(.taskScheduleChanged(task: 2, title: "Tømrerarbejde", starts: Date(timeIntervalSince1970: 1_800_000_000), ends: nil), .taskScheduleChanged)]
        case .taskOfficeChanged:
            return [(.taskOfficeChanged(task: 1, kind: .mainInspection, title: "Besigtigelse", office: "in4mo"), .inspectionOfficeChanged),
                    (.taskOfficeChanged(task: 2, kind: .repair, title: "Tømrerarbejde", office: "Easyfix"), .repairOfficeChanged)]
        case .taskResponsibleChanged: return [(.taskResponsibleChanged(task: 2, title: "Tømrerarbejde", name: "Rie Service"), .repairResponsibleChanged)]
        case .compensationDecided: return [(.compensationDecided(.positive), .compensationDecision), (.compensationDecided(.negative), .compensationDecision)]
        case .projectManagerChanged: return [(.projectManagerChanged(name: "Pia"), .projectManagerChanged)]
        case .projectManagerOfficeChanged: return [(.projectManagerOfficeChanged(office: "Easyfix - København"), .projectManagerOfficeChanged)]
        case .appointmentChanged: return [(.appointmentChanged(at: Date(timeIntervalSince1970: 1_800_003_600)), .appointmentChanged)]
        case .documentShared: return [(.documentShared(name: "Rapport.pdf"), .documentShared)]
        case .documentUnshared: return [(.documentUnshared(name: "Rapport.pdf"), .documentUnshared)]
        case .budgetLineAdded: return [(.budgetLineAdded(description: "Avfuktning", amount: "1200.00"), nil)]
        case .budgetLineChanged: return [(.budgetLineChanged(description: "Avfuktning", amount: "1500.00"), nil)]
        case .budgetLineRemoved: return [(.budgetLineRemoved(description: "Avfuktning", amount: "1500.00"), nil)]
        }
    }

    struct Written {
        var id: Int
        var entry: ClaimFeedEntry?
    }

    /// A claim of an insurer with every example written twice: once for the customer, once as an
    /// internal (staff-audience) event that must never show. Events one minute apart, oldest first.
    func claimWithEveryEvent() async throws -> (caseId: Int, customerId: Int, customerEvents: [Written]) {
        let insurer = try await make.customer("7100", name: "Forsikring X")
        let record = try await make.case("Vandskade", customer: insurer)
        let caseId = try record.requireID()
        try await Self.claimDetails(caseId: caseId, on: db)
        var written: [Written] = []
        var at = Date(timeIntervalSince1970: 1_790_000_000)
        for kind in CaseEvent.Kind.allCases {
            for (event, entry) in Self.examples(of: kind) {
                for audience in [EventAudience.customer, .staff] {
                    at += 60
                    let when = at
                    try await db.transaction { tx in
                        try await CaseEvents.append(event, caseId: caseId, by: EventActor(name: "Rie"), at: when, audience: audience, on: tx)
                    }
                    if audience == .customer {
                        let id = try await CaseEventRecord.query(on: db).sort(\.$id, .descending).first()!.requireID()
                        written.append(Written(id: id, entry: entry))
                    }
                }
            }
        }
        return (caseId, try insurer.requireID(), written)
    }

    static func claimDetails(caseId: Int, on db: any Database) async throws {
        let details = ClaimDetailsRecord()
        details.id = caseId
        details.policyholderType = ClaimCustomerType.privateCustomer.rawValue
        details.damageType = "Vandskade"
        try await details.create(on: db)
    }

    enum Level: CaseIterable { case deployment, customer, caseOverride }

    /// The table: every filter entry × every level it is set at gives exactly the customer events of
    /// that entry, newest first; never an internal event; never another entry's.
    func testEveryEventKindTimesFilterEntryTimesLevelGivesExactlyTheExpectedFeed() async throws {
        let (caseId, customerId, events) = try await claimWithEveryEvent()
        // Every entry is reachable by at least one example (so no row of the table is vacuous).
        XCTAssertEqual(Set(events.compactMap(\.entry)), Set(ClaimFeedEntry.allCases))
        let store = ClaimSettingsStore(database: db)
        let page = ClaimPage(database: db)
        let everything = Set(ClaimFeedEntry.allCases)
        for entry in ClaimFeedEntry.allCases {
            for level in Level.allCases {
                var deployment = ClaimPageSettings()
                var customer = ClaimPageOverrides()
                var caseLevel = ClaimPageOverrides()
                switch level {
                case .deployment:
                    deployment.feedFilter = [entry]
                case .customer:
                    deployment.feedFilter = everything
                    customer.feedFilter = [entry]
                case .caseOverride:
                    deployment.feedFilter = everything
                    customer.feedFilter = everything.subtracting([entry])
                    caseLevel.feedFilter = [entry]
                }
                try await store.saveDeployment(deployment)
                try await store.saveCustomer(customerId, customer)
                let details = try await ClaimDetailsRecord.find(caseId, on: db)!
                details.pageSettings = caseLevel == ClaimPageOverrides() ? nil : String(decoding: try JSONEncoder().encode(caseLevel), as: UTF8.self)
                try await details.update(on: db)

                let filter = try await store.levels(caseId: caseId).effective.feedFilter
                XCTAssertEqual(filter, [entry], "\(entry) at \(level)")
                let feed = try await page.feed(caseId: caseId, filter: filter, limit: 1000)
                let expected = events.filter { $0.entry == entry }.map(\.id).reversed()
                XCTAssertEqual(feed.items.map(\.event.id), Array(expected), "\(entry) at \(level)")
                XCTAssertFalse(feed.hasMore)
                XCTAssertTrue(feed.items.allSatisfy { $0.event.audience == .customer && $0.entry == entry }, "\(entry) at \(level)")
            }
        }
        // The whole filter: every customer event with an entry, none without, no internal one.
        let all = try await page.feed(caseId: caseId, filter: everything, limit: 1000)
        XCTAssertEqual(all.items.map(\.event.id), events.filter { $0.entry != nil }.map(\.id).reversed())
        // An empty filter shows nothing.
        let none = try await page.feed(caseId: caseId, filter: [], limit: 1000)
        XCTAssertEqual(none.items, [])
        // Paging: the pages put together are the whole feed.
        var paged: [Int] = []
        var offset = 0
        while true {
            let next = try await page.feed(caseId: caseId, filter: everything, offset: offset, limit: 7)
            paged += next.items.map(\.event.id)
            offset += 7
            if !next.hasMore { break }
        }
        XCTAssertEqual(paged, all.items.map(\.event.id))
    }

    /// Another case's events never reach this case's feed.
    func testTheFeedReadsOnlyItsOwnCase() async throws {
        let (caseId, _, _) = try await claimWithEveryEvent()
        let other = try await make.case("Andet")
        let otherId = try other.requireID()
        try await Self.claimDetails(caseId: otherId, on: db)
        let feed = try await ClaimPage(database: db).feed(caseId: otherId, filter: Set(ClaimFeedEntry.allCases), limit: 1000)
        XCTAssertEqual(feed.items, [])
        let own = try await ClaimPage(database: db).feed(caseId: caseId, filter: Set(ClaimFeedEntry.allCases), limit: 1000)
        XCTAssertTrue(own.items.allSatisfy { $0.event.caseId == caseId })
    }

    /// The seed's redactions: a decision never says which; a closing has no comment; a reopening is
    /// "<company>: has reopened the case" and nothing else.
    func testRedactionsHold() {
        let positive = ClaimFeedLine.line(for: .compensationDecided(.positive), company: "Forsikring X")
        let negative = ClaimFeedLine.line(for: .compensationDecided(.negative), company: "Forsikring X")
        XCTAssertEqual(positive, negative)
        XCTAssertEqual(positive, ClaimFeedLine(key: "claim_feed_compensation_decided"))
        XCTAssertEqual(ClaimFeedLine.line(for: .statusChanged(from: .open, to: .closed), company: "Forsikring X"),
                       ClaimFeedLine(key: "claim_feed_case_closed"))
        XCTAssertEqual(ClaimFeedLine.line(for: .statusChanged(from: .closed, to: .reopened), company: "Forsikring X"),
                       ClaimFeedLine(key: "claim_feed_case_reopened", texts: ["company": "Forsikring X"]))
        XCTAssertNil(ClaimFeedLine.line(for: .internalNote, company: "X"))
        XCTAssertNil(ClaimFeedLine.line(for: .statusChanged(from: .new, to: .open), company: "X"))
        // Every example with an entry has a line; every one without has none.
        for kind in CaseEvent.Kind.allCases {
            for (event, entry) in Self.examples(of: kind) {
                XCTAssertEqual(ClaimFeedLine.line(for: event, company: "X") != nil, entry != nil, "\(event)")
            }
        }
    }

    /// Documents: shared, not task media, not removed, not on an internal note, this case only.
    func testDocumentsAreTheSharedOnesOfThisCaseOnly() async throws {
        let record = try await make.case("Vandskade")
        let caseId = try record.requireID()
        try await Self.claimDetails(caseId: caseId, on: db)
        let other = try await make.case("Andet")
        let task = ClaimTaskRecord()
        task.caseId = caseId; task.kind = ClaimTaskKind.repair.rawValue; task.title = "Tømrer"; task.state = "planned"
        task.description = ""; task.awaitingSupplier = false; task.createdAt = Date(); task.updatedAt = Date()
        try await task.create(on: db)
        func file(_ name: String, caseId: Int, shared: Bool = true, taskId: Int? = nil, removed: Bool = false) async throws -> Int {
            let f = StoredFileRecord()
            f.caseId = caseId; f.storageKey = "ab" + String(UUID().uuidString.prefix(8)).lowercased(); f.originalName = name
            f.contentType = "application/pdf"; f.byteSize = 10; f.uploaderName = "Rie"; f.createdAt = Date()
            f.category = CaseDocumentCategory.inspectionReport.rawValue; f.isShared = shared; f.taskId = taskId
            f.removedAt = removed ? Date() : nil
            try await f.create(on: db)
            return try f.requireID()
        }
        let shared = try await file("rapport.pdf", caseId: caseId)
        let unshared = try await file("intern.pdf", caseId: caseId, shared: false)
        let medium = try await file("foto.jpg", caseId: caseId, taskId: task.id)
        let removed = try await file("gammel.pdf", caseId: caseId, removed: true)
        let foreign = try await file("andet.pdf", caseId: try other.requireID())
        let page = ClaimPage(database: db)
        let listed = try await page.documents(caseId: caseId).map(\.id)
        XCTAssertEqual(listed, [shared])
        let downloadable = try await page.document(caseId: caseId, fileId: shared)?.id
        XCTAssertEqual(downloadable, shared)
        for id in [unshared, medium, removed, foreign] {
            let found = try await page.document(caseId: caseId, fileId: id)
            XCTAssertNil(found, "file \(id)")
        }
        // The repair task is marked as having media; an inspection's media are never counted.
        let tasks = try await page.tasks(caseId: caseId)
        XCTAssertEqual(tasks.map(\.mediaCount), [1])
        task.kind = ClaimTaskKind.mainInspection.rawValue
        try await task.update(on: db)
        let afterKindChange = try await page.tasks(caseId: caseId).map(\.mediaCount)
        XCTAssertEqual(afterKindChange, [0])
    }
}
