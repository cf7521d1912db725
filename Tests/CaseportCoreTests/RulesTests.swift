import CaseportCore
import Foundation
import XCTest

final class PasswordPolicyTests: XCTestCase {
    func testDefaultNeedsSixCharactersADigitAndACapital() {
        let policy = PasswordPolicy.standard
        XCTAssertEqual(policy.problems(with: "Demo1234"), [])
        XCTAssertEqual(policy.problems(with: "De1"), [.tooShort])
        XCTAssertEqual(policy.problems(with: "demo1234"), [.needsUppercase])
        XCTAssertEqual(policy.problems(with: "Demodemo"), [.needsDigit])
        XCTAssertEqual(policy.problems(with: String(repeating: "Aa1", count: 30)), [.tooLong])
    }

    func testDeploymentCanForbidSwedishLetters() {
        let policy = PasswordPolicy(forbiddenCharacters: "åäö")
        XCTAssertEqual(policy.problems(with: "Sommar2024"), [])
        XCTAssertEqual(policy.problems(with: "Sömmar2024"), [.forbiddenCharacter])
        XCTAssertEqual(policy.problems(with: "SÖMMAR2024"), [.forbiddenCharacter], "upper case is forbidden too")
    }
}

final class LoginThrottleTests: XCTestCase {
    let throttle = LoginThrottle()
    let start = Date(timeIntervalSince1970: 1_000_000)

    func testFifthFailureLocksForTwentyMinutes() {
        var state = LoginThrottle.State()
        for attempt in 1...4 {
            state = throttle.afterFailure(state, now: start)
            XCTAssertFalse(throttle.isLocked(state, now: start), "attempt \(attempt)")
        }
        state = throttle.afterFailure(state, now: start)
        XCTAssertTrue(throttle.isLocked(state, now: start))
        XCTAssertTrue(throttle.isLocked(state, now: start.addingTimeInterval(19 * 60 + 59)))
        XCTAssertFalse(throttle.isLocked(state, now: start.addingTimeInterval(20 * 60)))
    }

    func testCountStartsAgainAfterTheLockRunsOut() {
        var state = LoginThrottle.State()
        for _ in 1...5 { state = throttle.afterFailure(state, now: start) }
        let later = start.addingTimeInterval(21 * 60)
        state = throttle.afterFailure(state, now: later)
        XCTAssertEqual(state.failures, 1)
        XCTAssertFalse(throttle.isLocked(state, now: later))
    }

    func testKeyIgnoresCaseAndSurroundingSpace() {
        XCTAssertEqual(LoginThrottle.key(realm: "portal", organisation: " Solglantan", username: "ANNA "),
                       LoginThrottle.key(realm: "portal", organisation: "solglantan", username: "anna"))
        XCTAssertNotEqual(LoginThrottle.key(realm: "portal", organisation: "a", username: "b"),
                          LoginThrottle.key(realm: "staff", organisation: "a", username: "b"))
    }
}

final class CaseStatusTests: XCTestCase {
    func testWorkflowAllowsOnlyTheNamedTransitions() {
        XCTAssertTrue(CaseStatus.new.canMove(to: .open))
        XCTAssertTrue(CaseStatus.resolved.canMove(to: .closed))
        XCTAssertTrue(CaseStatus.closed.canMove(to: .reopened))
        XCTAssertFalse(CaseStatus.closed.canMove(to: .open))
        XCTAssertFalse(CaseStatus.new.canMove(to: .reopened))
        for status in CaseStatus.allCases { XCTAssertFalse(status.canMove(to: status), "\(status) to itself") }
    }
}

final class LanguageTests: XCTestCase {
    func testAcceptLanguagePicksTheBestSupportedLanguage() {
        XCTAssertEqual(Language.best(fromAcceptLanguage: "da-DK,da;q=0.9,en;q=0.8"), .da)
        XCTAssertEqual(Language.best(fromAcceptLanguage: "de-DE,en;q=0.5,sv;q=0.7"), .sv)
        XCTAssertEqual(Language.best(fromAcceptLanguage: "no"), .nb)
        XCTAssertEqual(Language.best(fromAcceptLanguage: "nn-NO"), .nb)
        XCTAssertNil(Language.best(fromAcceptLanguage: "de,fr"))
        XCTAssertNil(Language.best(fromAcceptLanguage: nil))
    }

    func testDatesFollowTheLanguage() {
        let date = Date(timeIntervalSince1970: 1_795_000_000) // 2026-11-18 11:06:40 UTC
        let utc = TimeZone(identifier: "UTC")!
        XCTAssertEqual(Language.sv.formatDateTime(date, timeZone: utc), "2026-11-18 11:06")
        XCTAssertEqual(Language.da.formatDateTime(date, timeZone: utc), "18.11.2026 11.06")
        XCTAssertEqual(Language.nb.formatDateTime(date, timeZone: utc), "18.11.2026 11:06")
        XCTAssertEqual(Language.en.formatDateTime(date, timeZone: utc), "18 Nov 2026 11:06")
    }
}

final class TranslationsTests: XCTestCase {
    /// Fails when a string exists in one language and is missing in another.
    func testEveryLanguageHasEveryString() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Resources/Locales")
        let translations = try Translations.load(from: root)
        let english = Set(translations.tables[.en]!.keys)
        XCTAssertGreaterThan(english.count, 50)
        for language in Language.allCases {
            let own = Set(translations.tables[language]!.keys)
            XCTAssertEqual(own.subtracting(english).sorted(), [], "\(language) has keys English lacks")
            XCTAssertEqual(translations.missingKeys(in: language), [], "\(language) lacks keys")
            for (key, value) in translations.tables[language]! {
                XCTAssertFalse(value.trimmingCharacters(in: .whitespaces).isEmpty, "\(language).\(key) is empty")
            }
        }
        for status in CaseStatus.allCases {
            XCTAssertNotNil(translations.tables[.sv]![status.labelKey], status.labelKey)
        }
        for problem in [PasswordPolicy.Problem.tooShort, .tooLong, .needsDigit, .needsUppercase, .forbiddenCharacter] {
            XCTAssertNotNil(translations.tables[.da]![problem.rawValue], problem.rawValue)
        }
    }
}
