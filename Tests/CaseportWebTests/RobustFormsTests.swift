import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Issue 9, points 1, 2 and 4: long form bodies that arrive in several chunks, malformed content
/// types that must answer 4xx (never stop the process), and overlong path segments.
final class RobustFormsTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws {
        await harness.app.server.shutdown()
        try await harness.shutdown()
    }

    func annasCase() async throws -> CaseRecord {
        let customer = try await Demo.customer("1001", on: harness.app.db)
        return try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!)
            .filter(\.$status != .closed).sort(\.$number, .descending).first()!
    }

    /// Anna signed in, on her case page; the same cookies then post over a real socket.
    func annaOnHerCase() async throws -> (Browser, CaseRecord, RawHTTP) {
        let target = try await annasCase()
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        let port = try await harness.startServer()
        return (browser, target, RawHTTP(port: port))
    }

    // MARK: 1. Long bodies in several chunks

    func testALongMessageSentInSeveralChunksIsSaved() async throws {
        let (browser, target, raw) = try await annaOnHerCase()
        for length in [1_500, InputLimits.message] {
            let text = String(repeating: "Läckan i tvättstugan. ", count: length / 22 + 1).prefix(length)
            let reply = try await raw.postForm("/cases/\(target.number)/messages",
                                               [("csrf_token", browser.csrfToken ?? ""), ("body", String(text))],
                                               cookies: browser.cookies, chunks: 4)
            XCTAssertEqual(reply.status, 303, "a \(length)-character message is accepted: \(reply.head)")
            let saved = try await CaseMessageRecord.query(on: harness.app.db).filter(\.$caseId == target.id!).all()
            XCTAssertTrue(saved.contains { $0.body == String(text) }, "the \(length)-character message is stored whole")
        }
    }

    func testALongCaseDescriptionInChunksReachesTheConfirmationPage() async throws {
        let (browser, _, raw) = try await annaOnHerCase()
        try await browser.get("/cases/new")
        let description = String(repeating: "Fuktfläck i taket. ", count: 1_000)  // 19 000 characters
        let reply = try await raw.postForm("/cases/new", [("csrf_token", browser.csrfToken ?? ""), ("subject", "Fukt"),
                                                          ("description", description)],
                                           cookies: browser.cookies, chunks: 5)
        XCTAssertNotEqual(reply.status, 403, "not refused as an expired form")
        XCTAssertTrue([200, 422].contains(reply.status), reply.head)
        XCTAssertTrue(reply.body.contains("Fuktfläck i taket."), "the form comes back with the description")
    }

    func testALongLoginFieldInChunksGetsTheTooLongMessage() async throws {
        let browser = harness.browser()
        try await browser.get("/login")
        let raw = RawHTTP(port: try await harness.startServer())
        let reply = try await raw.postForm("/login", [("csrf_token", browser.csrfToken ?? ""),
                                                      ("organisation", String(repeating: "solglantan", count: 150)),
                                                      ("username", "anna"), ("password", "x")],
                                           cookies: browser.cookies)
        XCTAssertNotEqual(reply.status, 403)
        XCTAssertTrue(reply.body.contains(harness.app.caseport.translations.text("login_error_too_long", in: .sv)), reply.head)
    }

    func testAWrongTokenIsStillRefusedButWhatWasTypedIsShown() async throws {
        let (browser, target, raw) = try await annaOnHerCase()
        let text = String(repeating: "Viktig text som inte får försvinna. ", count: 60)
        let reply = try await raw.postForm("/cases/\(target.number)/messages",
                                           [("csrf_token", String(repeating: "x", count: 43)), ("body", text)],
                                           cookies: browser.cookies)
        XCTAssertEqual(reply.status, 403)
        XCTAssertTrue(reply.body.contains("Viktig text som inte får försvinna."), "the refused text is shown to copy")
        XCTAssertTrue(reply.body.contains(">Meddelande</label>"), "under the field's name in the user's language, not \"body\"")
        XCTAssertTrue(reply.body.contains("href=\"/cases/\(target.number)/messages\""), "a way back to the form")
        let saved = try await CaseMessageRecord.query(on: harness.app.db).filter(\.$caseId == target.id!).all()
        XCTAssertFalse(saved.contains { $0.body.contains("Viktig text") }, "nothing saved without the token")

        // A missing token too; passwords are never echoed.
        try await browser.get("/login")
        let login = try await raw.postForm("/login", [("organisation", "solglantan"), ("username", "anna"),
                                                      ("password", "Hemligt-lösen-123")], cookies: browser.cookies)
        XCTAssertEqual(login.status, 403)
        XCTAssertTrue(login.body.contains("solglantan"))
        XCTAssertFalse(login.body.contains("Hemligt-lösen-123"))
    }

    // MARK: 2. Malformed requests answer 4xx

    func testAnEmptyMultipartBoundaryIsA400EverywhereAndTheServerLives() async throws {
        let browser = harness.browser()
        try await browser.get("/login")
        let token = browser.csrfToken ?? ""
        for path in ["/login", "/staff/login", "/language", "/password/forgot", "/register"] {
            for type in ["multipart/form-data; boundary=", "multipart/form-data", "multipart/form-data; boundary=\"\"",
                         "multipart/mixed; boundary=", "multipart/form-data; boundary=" + String(repeating: "b", count: 71)] {
                var headers = HTTPHeaders()
                headers.replaceOrAdd(name: .contentType, value: type)
                let response = try await browser.send(.POST, path, headers: headers,
                                                      body: ByteBuffer(string: "--\r\n\r\nx\r\n----\r\n"))
                XCTAssertEqual(response.status, .badRequest, "\(path) \(type)")
            }
        }
        let awaited1 = try await browser.get("/healthz").status
        XCTAssertEqual(awaited1, .ok)
    }

    func testFormRoutesTakeOnlyUrlEncodedAndUploadRoutesAlsoMultipart() async throws {
        let (browser, target, _) = try await annaOnHerCase()
        let token = browser.csrfToken ?? ""
        // The message form takes files too (issue 12), so multipart is refused on a form route without files.
        for (type, path) in [("application/json", "messages"), ("text/plain", "messages"), ("multipart/form-data; boundary=abc", "classification")] {
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: type)
            headers.replaceOrAdd(name: "X-CSRF-Token", value: token)
            let response = try await browser.send(.POST, "/cases/\(target.number)/\(path)", headers: headers,
                                                  body: ByteBuffer(string: "{\"body\":\"x\"}"))
            XCTAssertEqual(response.status, .unsupportedMediaType, type)
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "application/json")
        let json = try await browser.send(.POST, "/cases/\(target.number)/files", headers: headers,
                                          body: ByteBuffer(string: "{}"))
        XCTAssertEqual(json.status, .unsupportedMediaType)
        // A url-encoded post to an upload route passes the guards and is refused by the route.
        headers.contentType = .urlEncodedForm
        let upload = try await browser.send(.POST, "/cases/\(target.number)/files", headers: headers,
                                            body: ByteBuffer(string: "files=x&csrf_token=\(token)"))
        XCTAssertEqual(upload.status, .badRequest)
        let stored = try await StoredFileRecord.query(on: harness.app.db).filter(\.$caseId == target.id!).count()
        XCTAssertEqual(stored, 0)
        // The ordinary forms still work.
        let awaited2 = try await browser.post("/cases/\(target.number)/messages", ["body": "Hej"]).status
        XCTAssertEqual(awaited2, .seeOther)
    }

    func testANulByteInAFormOrQueryIsA400() async throws {
        let (browser, target, _) = try await annaOnHerCase()
        let form = try await browser.post("/cases/\(target.number)/messages", ["body": "före\u{0}efter"])
        XCTAssertEqual(form.status, .badRequest)
        let saved = try await CaseMessageRecord.query(on: harness.app.db).filter(\.$caseId == target.id!).all()
        XCTAssertFalse(saved.contains { $0.body.contains("före") })
        let awaited3 = try await browser.get("/cases?q=a%00b").status
        XCTAssertEqual(awaited3, .badRequest)
        let staff = harness.browser()
        try await staff.staffLogin("admin@example.com")
        let awaited4 = try await staff.get("/staff/customers?q=%00").status
        XCTAssertEqual(awaited4, .badRequest)
    }

    func testBoundaryRule() {
        XCTAssertTrue(RequestShapeMiddleware.isLegalBoundary("----WebKitFormBoundary7MA4YWxkTrZu0gW"))
        XCTAssertTrue(RequestShapeMiddleware.isLegalBoundary("a"))
        XCTAssertTrue(RequestShapeMiddleware.isLegalBoundary(String(repeating: "z", count: 70)))
        for bad in [nil, "", String(repeating: "z", count: 71), "ends with space ", "tab\there", "ä", "semi;colon", "quote\""] {
            XCTAssertFalse(RequestShapeMiddleware.isLegalBoundary(bad), bad ?? "nil")
        }
    }

    func testOrderNumbersAtTheIntegerLimitsAreRefusedCalmly() async throws {
        let browser = harness.browser()
        try await browser.staffLogin("admin@example.com")
        try await browser.get("/staff/settings/catalogue")
        for order in ["-9223372036854775808", "9223372036854775807", "-100000"] {
            let category = try await browser.post("/staff/settings/catalogue/categories", ["name": "Ny \(order)", "order": order])
            XCTAssertLessThan(category.status.code, 500, order)
            XCTAssertNotEqual(category.status, .seeOther, "\(order) is not saved")
            try await browser.get("/staff/settings/types")
            let type = try await browser.post("/staff/settings/types", ["name": "Typ \(order)", "order": order])
            XCTAssertLessThan(type.status.code, 500, order)
            XCTAssertNotEqual(type.status, .seeOther, "\(order) is not saved")
        }
        let types = try await CaseTypeRecord.query(on: harness.app.db).all()
        let firstType = try XCTUnwrap(types.first?.id)
        try await browser.get("/staff/settings/types/\(firstType)")
        let field = try await browser.post("/staff/settings/types/\(firstType)/fields",
                                           ["label": "Fält", "kind": "text", "order": "-9223372036854775808"])
        XCTAssertLessThan(field.status.code, 500)
        let awaited5 = try await browser.get("/healthz").status
        XCTAssertEqual(awaited5, .ok)
    }

    // MARK: 4. Overlong paths

    func testAnOverlongPathSegmentIsAQuiet404() async throws {
        let browser = harness.browser()
        let long = String(repeating: "a", count: 300)
        for path in ["/\(long)", "/css/\(long)", "/css/\(long).css", "/js/\(long)", "/cases/\(long)", "/staff/\(long)/x",
                     "/css/caseport.css/x", "/css/%00", "/" + String(repeating: "b/", count: 1_500)] {
            let response = try await browser.get(path)
            XCTAssertEqual(response.status, .notFound, String(path.prefix(60)))
        }
        let awaited6 = try await browser.get("/css/caseport.css").status
        XCTAssertEqual(awaited6, .ok, "the stylesheet is still served")
    }
}
