import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

final class CasePagesTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    /// Case numbers linked from a list page, in page order.
    func numbersOnPage(_ html: String) -> [Int] {
        var numbers: [Int] = []
        var rest = Substring(html)
        while let range = rest.range(of: "data-case-number=\"") {
            rest = rest[range.upperBound...]
            let digits = rest.prefix { $0.isNumber }
            if let number = Int(digits) { numbers.append(number) }
        }
        return numbers
    }

    /// Walks every page of /cases and returns the numbers in the order shown.
    func allListedNumbers(_ browser: Browser) async throws -> [Int] {
        var numbers: [Int] = []
        var page = 1
        while true {
            let response = try await browser.get("/cases?page=\(page)")
            XCTAssertEqual(response.status, .ok)
            numbers += numbersOnPage(browser.lastBody)
            guard browser.lastBody.contains("rel=\"next\"") else { break }
            page += 1
            if page > 50 { XCTFail("runaway pagination"); break }
        }
        return numbers
    }

    func testTheListNeedsALogin() async throws {
        let response = try await harness.browser().get("/cases")
        XCTAssertEqual(response.status, .seeOther)
        XCTAssertEqual(response.headers.first(name: .location), "/login")
    }

    /// Expected sets are computed with plain queries that restate SPEC A6/A7 for each demo login,
    /// independent of the scope code under test.
    func testEachDemoLoginListsExactlyItsCasesNewestFirst() async throws {
        let db = harness.app.db
        let solglantan = try await CustomerRecord.query(on: db).filter(\.$customerNumber == "1001").first()!
        let norrsken = try await CustomerRecord.query(on: db).filter(\.$customerNumber == "1002").first()!
        let nordstjarnan = try await ObjectRecord.query(on: db).filter(\.$name == "Nordstjärnan 4").first()!
        let erik = try await ContactRecord.query(on: db).filter(\.$firstName == "Erik").first()!
        let all = try await CaseRecord.query(on: db).all()
        let solObjects = Set(try await ObjectRecord.query(on: db).filter(\.$customerId == solglantan.id!).all().map { $0.id! })
        let links = try await CaseContactLink.query(on: db).all()
        func linked(_ contact: ContactRecord) -> Set<Int> { Set(links.filter { $0.contactId == contact.id! }.map(\.caseId)) }
        let anna = try await ContactRecord.query(on: db).filter(\.$firstName == "Anna").first()!

        let expectations: [(String, String, Set<Int>)] = [
            ("solglantan", "anna", Set(all.filter { $0.customerId == solglantan.id || solObjects.contains($0.objectId ?? -1)
                                                    || linked(anna).contains($0.id!) }.map(\.number))),
            ("norrsken", "erik", Set(all.filter { $0.objectId == nordstjarnan.id || linked(erik).contains($0.id!) }.map(\.number))),
            ("1002", "faktura", Set(all.filter { $0.customerId == norrsken.id }.map(\.number))),
            ("norrsken", "nordstjarnan", Set(all.filter { $0.objectId == nordstjarnan.id }.map(\.number))),
        ]
        let createdAt = Dictionary(uniqueKeysWithValues: all.map { ($0.number, $0.createdAt) })
        for (organisation, username, expected) in expectations {
            XCTAssertFalse(expected.isEmpty)
            let browser = harness.browser()
            try await browser.portalLogin(organisation, username)
            let listed = try await allListedNumbers(browser)
            XCTAssertEqual(Set(listed), expected, "\(organisation)/\(username)")
            XCTAssertEqual(listed.count, expected.count, "no duplicates across pages")
            XCTAssertEqual(listed.map { createdAt[$0]! }, listed.map { createdAt[$0]! }.sorted(by: >), "newest first")
        }
    }

    func testACaseOutsideTheRuleAnswersExactlyLikeAMissingOne() async throws {
        let db = harness.app.db
        let norrsken = try await CustomerRecord.query(on: db).filter(\.$customerNumber == "1002").first()!
        let theirs = try await CaseRecord.query(on: db).filter(\.$customerId == norrsken.id!).first()!
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        let forbidden = try await browser.get("/cases/\(theirs.number)")
        let forbiddenBody = browser.lastBody
        let missing = try await browser.get("/cases/99999999")
        XCTAssertEqual(forbidden.status, .notFound)
        XCTAssertEqual(missing.status, .notFound)
        // The pages differ only in the path the user typed (kept for the language switch).
        XCTAssertEqual(forbiddenBody.replacingOccurrences(of: "/cases/\(theirs.number)", with: "/cases/N"),
                       browser.lastBody.replacingOccurrences(of: "/cases/99999999", with: "/cases/N"))
        XCTAssertFalse(forbiddenBody.contains(theirs.subject) && forbiddenBody.contains(theirs.description))
        let value1 = try await browser.get("/cases/abc").status
        XCTAssertEqual(value1, .notFound)
        let value2 = try await browser.get("/cases/99999999999999999999999").status
        XCTAssertEqual(value2, .notFound)
    }

    func testACaseInsideTheRuleShowsItsDetails() async throws {
        let db = harness.app.db
        let nordstjarnan = try await ObjectRecord.query(on: db).filter(\.$name == "Nordstjärnan 4").first()!
        let mine = try await CaseRecord.query(on: db).filter(\.$objectId == nordstjarnan.id!).first()!
        let browser = harness.browser()
        try await browser.portalLogin("norrsken", "erik")
        let response = try await browser.get("/cases/\(mine.number)")
        XCTAssertEqual(response.status, .ok)
        XCTAssertTrue(browser.lastBody.contains(mine.subject))
        XCTAssertTrue(browser.lastBody.contains("Nordstjärnan 4"))
        XCTAssertEqual(response.headers.first(name: .cacheControl), "no-store")
    }

    func testPagesBeyondTheEndShowTheLastPage() async throws {
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases?page=9999")
        XCTAssertFalse(numbersOnPage(browser.lastBody).isEmpty)
        XCTAssertFalse(browser.lastBody.contains("rel=\"next\""))
        let value3 = try await browser.get("/cases?page=-3").status
        XCTAssertEqual(value3, .ok)
        let value4 = try await browser.get("/cases?page=x").status
        XCTAssertEqual(value4, .ok)
    }

    func testAUserWithoutContactSeesNoCases() async throws {
        let db = harness.app.db
        let styrelsen = try await PortalUserRecord.query(on: db).filter(\.$usernameKey == "styrelsen").first()!
        styrelsen.contactId = nil
        try await styrelsen.save(on: db)
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "styrelsen")
        try await browser.get("/cases")
        XCTAssertEqual(numbersOnPage(browser.lastBody), [])
        XCTAssertTrue(browser.lastBody.contains("Det finns inga ärenden att visa."))
    }
}

final class PlatformTests: XCTestCase {
    func testHealthAnswers200WithTheDatabaseUp() async throws {
        let harness = try await WebHarness(loadDemo: false)
        let response = try await harness.browser().get("/healthz")
        XCTAssertEqual(response.status, .ok)
        XCTAssertTrue(response.body.string.contains("\"reachable\""))
        try await harness.shutdown()
    }

    func testHealthAnswers503WhenTheDatabaseIsUnreachable() async throws {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        let config = AppConfig(database: .postgres(url: "postgres://nobody@127.0.0.1:1/none"), bcryptCost: 4,
                               secureCookies: .auto, dataDirectory: NSTemporaryDirectory())
        try await configure(app, config: config)
        let response = try await app.testable().sendRequest(.GET, "/healthz")
        XCTAssertEqual(response.status, .serviceUnavailable)
        try await app.asyncShutdown()
    }

    func testPagesFollowTheBrowserLanguageAndTheSwitch() async throws {
        let harness = try await WebHarness(loadDemo: false)
        let browser = harness.browser()
        try await browser.get("/login", headers: ["Accept-Language": "da-DK,da;q=0.9"])
        XCTAssertTrue(browser.lastBody.contains("<html lang=\"da\">"))
        XCTAssertTrue(browser.lastBody.contains("Log ind på kundeportalen"))
        let switched = try await browser.post("/language", ["language": "en", "returnTo": "/login"])
        XCTAssertEqual(switched.headers.first(name: .location), "/login")
        try await browser.get("/login", headers: ["Accept-Language": "da"])
        XCTAssertTrue(browser.lastBody.contains("Log in to the customer portal"), "the choice beats the browser")
        try await browser.post("/login", ["organisation": "x", "username": "y", "password": "z"])
        XCTAssertTrue(browser.lastBody.contains("Wrong organisation, username or password."))
        let offsite = try await browser.post("/language", ["language": "sv", "returnTo": "//evil.example/"])
        XCTAssertEqual(offsite.headers.first(name: .location), "/", "never redirects off the site")
        try await harness.shutdown()
    }

    func testUnknownPagesGetAFriendlyNotFoundPageWithSecurityHeaders() async throws {
        let harness = try await WebHarness(loadDemo: false)
        let browser = harness.browser()
        let response = try await browser.get("/no/such/page")
        XCTAssertEqual(response.status, .notFound)
        XCTAssertTrue(browser.lastBody.contains("Sidan eller ärendet finns inte"))
        XCTAssertEqual(response.headers.first(name: "X-Content-Type-Options"), "nosniff")
        XCTAssertNotNil(response.headers.first(name: "Content-Security-Policy"))
        try await harness.shutdown()
    }

    func testConfigurationProblemsNameTheVariable() {
        XCTAssertThrowsError(try AppConfig.from(environment: ["DATABASE_URL": "mysql://x@y/z"])) { error in
            XCTAssertTrue("\(error)".contains("DATABASE_URL"))
        }
        XCTAssertThrowsError(try AppConfig.from(environment: ["DATABASE_URL": "postgres://user@/db"]))
        XCTAssertThrowsError(try AppConfig.from(environment: ["DATABASE_URL": "postgres://user@host"]))
        XCTAssertThrowsError(try AppConfig.from(environment: ["CASEPORT_BCRYPT_COST": "two"])) { error in
            XCTAssertTrue("\(error)".contains("CASEPORT_BCRYPT_COST"))
        }
        XCTAssertEqual(try AppConfig.from(environment: ["CASEPORT_DATA_DIR": "/srv/cp"]).database,
                       .sqlite(path: "/srv/cp/caseport.sqlite"))
    }
}
