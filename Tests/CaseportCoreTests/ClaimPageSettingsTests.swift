import CaseportCore
import XCTest

final class ClaimPageSettingsTests: XCTestCase {
    func testTheCaseOverridesTheCustomerWhichOverridesTheDeploymentFieldByField() {
        var deployment = ClaimPageSettings()
        deployment.linkSent = .manual
        deployment.daysAfterClose = 30
        var customer = ClaimPageOverrides()
        customer.linkSent = .firstInspection
        customer.budget = .positiveDecision
        var caseOverride = ClaimPageOverrides()
        caseOverride.linkSent = .atCreation
        let levels = ClaimPageLevels(deployment: deployment, customer: customer, caseOverride: caseOverride)

        XCTAssertEqual(levels.effective.linkSent, .atCreation)
        XCTAssertEqual(levels.source(\.linkSent), .caseOverride)
        XCTAssertEqual(levels.effective.budget, .positiveDecision)
        XCTAssertEqual(levels.source(\.budget), .customer)
        XCTAssertEqual(levels.effective.daysAfterClose, 30)
        XCTAssertEqual(levels.source(\.daysAfterClose), .deployment)
    }

    func testStoredSettingsMissingAFieldTakeItsDefaultAndSurviveARoundTrip() throws {
        let decoded = try JSONDecoder().decode(ClaimPageSettings.self, from: Data(#"{"daysAfterClose":10}"#.utf8))
        var expected = ClaimPageSettings()
        expected.daysAfterClose = 10
        XCTAssertEqual(decoded, expected)
        var changed = ClaimPageSettings()
        changed.feedFilter = [.documentShared, .caseReopened]
        changed.messageDirection = .fromCustomer
        XCTAssertEqual(try JSONDecoder().decode(ClaimPageSettings.self, from: JSONEncoder().encode(changed)), changed)
        // An empty level stays empty: every field follows the level above.
        XCTAssertEqual(try JSONDecoder().decode(ClaimPageOverrides.self, from: Data("{}".utf8)), ClaimPageOverrides())
    }

    func testEveryFilterEntryHasAnEventAndInternalEventsHaveNone() {
        let reached = Set(CaseEvent.Kind.allCases.compactMap { ClaimFeedEntry.entry(for: CaseEventTests.example(of: $0)) })
            .union([.caseClosed, .caseReopened, .mainInspectionFinished, .inspectionOfficeChanged])
        XCTAssertEqual(reached, Set(ClaimFeedEntry.allCases))
        XCTAssertNil(ClaimFeedEntry.entry(for: .internalNote))
        XCTAssertNil(ClaimFeedEntry.entry(for: .handlerChanged(before: nil, after: "H")))
        XCTAssertEqual(ClaimFeedEntry.entry(for: .statusChanged(from: .open, to: .closed)), .caseClosed)
        XCTAssertEqual(ClaimFeedEntry.entry(for: .statusChanged(from: .closed, to: .reopened)), .caseReopened)
        XCTAssertNil(ClaimFeedEntry.entry(for: .statusChanged(from: .new, to: .open)))
        XCTAssertEqual(ClaimFeedEntry.entry(for: .taskFinished(task: 1, kind: .mainInspection, title: "t")), .mainInspectionFinished)
        XCTAssertEqual(ClaimFeedEntry.entry(for: .taskOfficeChanged(task: 1, kind: .mainInspection, title: "t", office: nil)),
                       .inspectionOfficeChanged)
    }
}
