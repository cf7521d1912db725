import CaseportCore
import XCTest

final class CaseEventTests: XCTestCase {
    /// One example of every kind; the switch makes a new kind a compile error here until it has one.
    static func example(of kind: CaseEvent.Kind) -> CaseEvent {
        switch kind {
        case .created: return .created(channel: .portal)
        case .createdFromInquiry: return .createdFromInquiry
        case .statusChanged: return .statusChanged(from: .resolved, to: .reopened)
        case .fieldChanged: return .fieldChanged(.subject, before: "Läcka \"i\" källaren", after: nil)
        case .handlerChanged: return .handlerChanged(before: nil, after: "Henrik")
        case .supplierChanged: return .supplierChanged(before: "Rör AB", after: "VVS & Co")
        case .staffMessage: return .staffMessage
        case .internalNote: return .internalNote
        case .customerMessage: return .customerMessage
        case .emailReply: return .emailReply
        case .filesUploaded: return .filesUploaded(names: ["a.pdf", "b,c.jpg"])
        case .fileRemoved: return .fileRemoved(name: "a.pdf")
        case .classificationChanged: return .classificationChanged(category: .init(before: "A", after: "B"), priority: nil)
        case .approved: return .approved
        case .rejected: return .rejected
        case .autoApproved: return .autoApproved
        case .approvalReminderSent: return .approvalReminderSent
        case .contactLinked: return .contactLinked(name: "Anna Berg")
        case .contactUnlinked: return .contactUnlinked(name: "Anna Berg")
        case .articleRowBooked: return .articleRowBooked(article: "ARB-01 Arbete", quantity: "1.5", workOrder: 7)
        case .articleRowRemoved: return .articleRowRemoved(article: "MAT-02 Rör", quantity: "2")
        case .workOrderCreated: return .workOrderCreated(workOrder: 7, title: "Byt blandare")
        case .workOrderChanged: return .workOrderChanged(workOrder: 7, title: "Byt blandare i kök")
        case .workOrderStateChanged: return .workOrderStateChanged(workOrder: 7, from: .sent, to: .accepted)
        case .specificationCreated: return .specificationCreated(number: 3)
        case .specificationApproved: return .specificationApproved(number: 3)
        case .specificationRejected: return .specificationRejected(number: 3)
        case .callLogged: return .callLogged(caller: "Rie Nielsen", callee: "Bente Larsen", answered: false, seconds: 0)
        case .expertAssigned: return .expertAssigned(name: "Ole Skov")
        case .taskAdded: return .taskAdded(task: 4, kind: .repair, title: "Tømrerarbejde")
        case .taskStarted: return .taskStarted(task: 3, kind: .mainInspection, title: "Vandskade besigtigelse")
        case .taskFinished: return .taskFinished(task: 4, kind: .repair, title: "Tømrerarbejde")
        case .taskScheduleChanged:
            return .taskScheduleChanged(task: 4, title: "Tømrerarbejde", starts: Date(timeIntervalSince1970: 1_790_000_000), ends: nil)
        case .taskOfficeChanged: return .taskOfficeChanged(task: 4, kind: .repair, title: "Tømrerarbejde", office: "Easyfix - København")
        case .taskResponsibleChanged: return .taskResponsibleChanged(task: 4, title: "Tømrerarbejde", name: nil)
        case .compensationDecided: return .compensationDecided(.negative)
        case .projectManagerChanged: return .projectManagerChanged(name: "Pia Sørensen")
        case .projectManagerOfficeChanged: return .projectManagerOfficeChanged(office: nil)
        case .appointmentChanged: return .appointmentChanged(at: Date(timeIntervalSince1970: 1_790_003_600))
        case .documentShared: return .documentShared(name: "Besigtigelsesrapport.pdf")
        case .documentUnshared: return .documentUnshared(name: "Besigtigelsesrapport.pdf")
        case .budgetLineAdded: return .budgetLineAdded(description: "Affugtning, 3 døgn", amount: "4500.00")
        case .budgetLineChanged: return .budgetLineChanged(description: "Affugtning, 4 døgn", amount: "6000.00")
        case .budgetLineRemoved: return .budgetLineRemoved(description: "Affugtning, 4 døgn", amount: "6000.00")
        }
    }

    func testEveryKindSurvivesStorageUnchanged() throws {
        for kind in CaseEvent.Kind.allCases {
            let event = Self.example(of: kind)
            XCTAssertEqual(event.kind, kind)
            XCTAssertEqual(try CaseEvent(kind: kind.rawValue, payload: event.encodedPayload()), event, kind.rawValue)
        }
    }

    func testKindsStoredBeforeTypedEventsKeepTheirNames() {
        // Rows written before M019 carry these names; renaming one would orphan them.
        XCTAssertEqual(CaseEvent.Kind.statusChanged.rawValue, "status")
        XCTAssertEqual(CaseEvent.Kind.fieldChanged.rawValue, "field")
        XCTAssertEqual(CaseEvent.Kind.staffMessage.rawValue, "message")
        XCTAssertEqual(CaseEvent.Kind.internalNote.rawValue, "note")
        XCTAssertEqual(CaseEvent.Kind.createdFromInquiry.rawValue, "from_inquiry")
        XCTAssertEqual(CaseEvent.Kind.approvalReminderSent.rawValue, "approval_reminder")
    }

    func testInternalThingsAreStaffOnlyAndWhatTheCustomerDidOrWasToldIsTheirs() {
        XCTAssertEqual(CaseEvent.internalNote.defaultAudience, .staff)
        XCTAssertEqual(CaseEvent.handlerChanged(before: nil, after: "H").defaultAudience, .staff)
        XCTAssertEqual(CaseEvent.fieldChanged(.priority, before: nil, after: "Hög").defaultAudience, .staff)
        XCTAssertEqual(CaseEvent.fieldChanged(.subject, before: "a", after: "b").defaultAudience, .customer)
        XCTAssertEqual(CaseEvent.staffMessage.defaultAudience, .customer)
        XCTAssertEqual(CaseEvent.statusChanged(from: .new, to: .open).defaultAudience, .customer)
        XCTAssertEqual(CaseEvent.customerMessage.defaultAudience, .customer)
        XCTAssertEqual(CaseEvent.created(channel: .portal).defaultAudience, .customer)
    }

    func testARegisteredCaseStoresItsChannelAndNothingElse() throws {
        let event = CaseEvent.created(channel: .portal)
        XCTAssertEqual(event.kind.rawValue, "created")
        XCTAssertEqual(event.encodedPayload(), #"{"channel":"portal"}"#)
        XCTAssertEqual(try CaseEvent(kind: "created", payload: #"{"channel":"back_office"}"#), .created(channel: .backOffice))
        // A "created" row without its channel is a bad row, not a portal case by guess.
        XCTAssertThrowsError(try CaseEvent(kind: "created", payload: nil)) {
            XCTAssertEqual($0 as? CaseEvent.DecodingProblem, .badPayload("created"))
        }
    }
}
