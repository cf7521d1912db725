import CaseportAPI
import CaseportCore
import CaseportOperations
import CaseportStore
@testable import CaseportWeb
import Crypto
import Fluent
import Foundation
import NIOCore
import Vapor
import XCTVapor
import XCTest

/// The JSON API (issue 16): its routes are its document's, its code was generated from the document
/// committed now, a portal token sees exactly what its user sees on the pages (both databases), and
/// tokens are refused when revoked (401), short of scope (403) or over their rate (429).
final class APITests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    static let sourceRoot = RouteTests.sourceRoot

    // MARK: The document and the generated code

    func testTheRegisteredAPIRoutesAreTheDocumentsPaths() async throws {
        let data = try Data(contentsOf: Self.sourceRoot.appendingPathComponent("Resources/API/openapi.json"))
        let document = try await XCTUnwrapAsync(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let prefix = try await XCTUnwrapAsync(((document["servers"] as? [[String: Any]])?.first?["url"]) as? String)
        XCTAssertEqual(prefix, APIRoutes.prefix)
        let paths = try await XCTUnwrapAsync(document["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, item) in paths {
            for method in item.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                let pattern = path.replacingOccurrences(of: #"\{(\w+)\}"#, with: ":$1", options: .regularExpression)
                documented.insert("\(method.uppercased()) \(prefix)\(pattern)")
            }
        }
        let registered = Set(harness.app.routes.all
            .filter { ($0.userInfo[routeNameKey] as? String)?.hasPrefix(APIRoutes.generatedNamePrefix) == true }
            .map { "\($0.method.rawValue) /\($0.path.string)" })
        XCTAssertEqual(registered, documented)
        XCTAssertEqual(documented.count, 16)
    }

    /// Fails when Sources/CaseportAPI/openapi.yaml (or the served JSON) changed without
    /// `scripts/generate-api.sh`.
    func testTheGeneratedCodeIsFromTheCommittedDocument() throws {
        func sha256(_ path: String) throws -> String {
            let data = try Data(contentsOf: Self.sourceRoot.appendingPathComponent(path))
            return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        }
        XCTAssertEqual(try sha256("Sources/CaseportAPI/openapi.yaml"), APIDocumentHash.yaml,
                       "openapi.yaml changed: run scripts/generate-api.sh and commit what it writes")
        XCTAssertEqual(try sha256("Resources/API/openapi.json"), APIDocumentHash.json,
                       "Resources/API/openapi.json is not the generated one: run scripts/generate-api.sh")
    }

    func testTheDocumentIsServedWithoutAToken() async throws {
        let response = try await harness.browser().get(PublicRoute.apiDocument.path())
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.headers.contentType, .json)
        XCTAssertTrue(response.body.string.contains(#""openapi": "3.0.3""#))
    }

    // MARK: Tokens

    /// A token for a demo account, made directly (the operations' own tests cover how they are made).
    func token(portalUser username: String? = nil, staff email: String? = nil, scope: APITokenScope = .write,
               role: StaffRole? = nil, expiresAt: Date? = nil) async throws -> (String, Int) {
        let db = harness.app.db
        let token = APITokens.newToken()
        let record = APITokenRecord()
        record.tokenHash = APITokens.hash(token)
        record.prefix = String(token.prefix(12))
        record.name = "test"
        record.scope = scope
        record.createdAt = Date().timeIntervalSince1970
        record.createdByName = "test"
        record.expiresAt = expiresAt?.timeIntervalSince1970
        if let username {
            let user = try await XCTUnwrapAsync(try await PortalUserRecord.query(on: db).filter(\.$username == username).first())
            record.realm = .portal
            record.portalUserId = try user.requireID()
            record.organisationId = user.organisationId
        } else if let email {
            let user = try await XCTUnwrapAsync(try await StaffUserRecord.query(on: db).filter(\.$email == email).first())
            record.realm = .staff
            record.staffUserId = try user.requireID()
            record.role = role ?? user.role
        }
        try await record.create(on: db)
        return (token, try record.requireID())
    }

    func call(_ method: HTTPMethod, _ path: String, token: String?, json: String? = nil,
              bytes: [UInt8]? = nil) async throws -> XCTHTTPResponse {
        var headers = HTTPHeaders()
        if let token { headers.add(name: .authorization, value: "Bearer \(token)") }
        var body: ByteBuffer?
        if let json {
            headers.contentType = .json
            body = ByteBuffer(string: json)
        } else if let bytes {
            headers.contentType = .binary
            body = ByteBuffer(bytes: bytes)
        }
        return try await harness.app.testable().sendRequest(method, APIRoutes.prefix + path, headers: headers, body: body)
    }

    func json(_ response: XCTHTTPResponse) throws -> Any { try JSONSerialization.jsonObject(with: Data(response.body.string.utf8)) }

    /// Every page of /cases, following `nextCursor`, as case numbers in order.
    func allCaseNumbers(token: String, query: String = "", limit: Int = 2) async throws -> [Int] {
        var numbers: [Int] = []
        var cursor: String?
        repeat {
            var path = "/cases?limit=\(limit)" + query
            if let cursor { path += "&cursor=\(cursor)" }
            let response = try await call(.GET, path, token: token)
            XCTAssertEqual(response.status, .ok, response.body.string)
            let page = try await XCTUnwrapAsync(try json(response) as? [String: Any])
            numbers += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? Int }
            cursor = page["nextCursor"] as? String
        } while cursor != nil && numbers.count < 10_000
        return numbers
    }

    // MARK: The access matrix, extended to the API

    /// For every demo portal user and every case: the API lists exactly the cases the portal's list reads
    /// (`VisibleCases`, in the same order), opens exactly those (another's is 404), and shows the same
    /// messages and files; every file of every case downloads for exactly the users who see its case;
    /// events are the customer-audience ones. The case page (`/cases/{n}`) answers the same.
    func testAPortalTokenSeesExactlyWhatItsUserSeesOnThePages() async throws {
        let db = harness.app.db
        let everyCase = try await CaseRecord.query(on: db).all()
        // A file on every case (through the staff API), so every case has one to reach or be refused.
        let (staff, _) = try await token(staff: "admin@example.com")
        for record in everyCase {
            let upload = try await call(.POST, "/cases/\(record.number)/files?name=case-\(record.number).txt", token: staff,
                                        bytes: Array("file of case \(record.number)".utf8))
            XCTAssertEqual(upload.status, .created, upload.body.string)
        }
        let everyFile = try await StoredFileRecord.query(on: db).filter(\.$caseId != nil).filter(\.$removedAt == nil).all()
        XCTAssertGreaterThan(everyCase.count, 3)
        XCTAssertGreaterThan(everyFile.count, 0)
        let logins: [(String, String)] = [("solglantan", "anna"), ("solglantan", "styrelsen"), ("norrsken", "erik"),
                                          ("1002", "faktura"), ("norrsken", "nordstjarnan")]
        var sawSomethingHidden = false
        for (organisation, username) in logins {
            let (token, _) = try await token(portalUser: username)
            let user = try await XCTUnwrapAsync(try await PortalUserRecord.query(on: db).filter(\.$username == username).first())
            let principal = try await XCTUnwrapAsync(try await PortalSessionMiddleware.load(userId: try user.requireID(), on: db))
            // The list, all pages, in the API's order: newest created first (its cursor's order; the
            // portal's list opens in last-activity order since issue 12, and these uploads are activity).
            var newestFirst = CaseFilter()
            newestFirst.sort = .newestFirst
            let pageRows = try await VisibleCases(database: db).page(for: principal.visibility, filter: newestFirst, offset: 0, limit: 10_000)
            let apiNumbers = try await allCaseNumbers(token: token)
            XCTAssertEqual(apiNumbers, pageRows.map(\.number), username)
            let visible = Set(pageRows.map(\.number))
            if visible.count < everyCase.count { sawSomethingHidden = true }
            // The same user in a browser.
            let browser = harness.browser()
            try await browser.portalLogin(organisation, username)
            for record in everyCase {
                let sees = visible.contains(record.number)
                let api = try await call(.GET, "/cases/\(record.number)", token: token)
                XCTAssertEqual(api.status, sees ? .ok : .notFound, "\(username) case \(record.number)")
                if !sees { XCTAssertEqual(api.headers.contentType?.description, "application/problem+json") }
                let page = try await browser.get(PortalRoute.case.path(record.number))
                XCTAssertEqual(page.status, api.status, "\(username): page and API differ on case \(record.number)")
                for sub in ["messages", "files", "events"] {
                    let response = try await call(.GET, "/cases/\(record.number)/\(sub)", token: token)
                    XCTAssertEqual(response.status, sees ? .ok : .notFound, "\(username) \(sub) of \(record.number)")
                }
                guard sees else { continue }
                let caseId = try record.requireID()
                let messages = try await XCTUnwrapAsync(try json(try await call(.GET, "/cases/\(record.number)/messages", token: token)) as? [[String: Any]])
                let shown = try await CaseConversation(database: db).publicMessages(caseId: caseId, limit: 1_000)
                XCTAssertEqual(messages.compactMap { $0["id"] as? Int }, shown.reversed().map(\.id), "\(username) messages")
                XCTAssertFalse(messages.contains { $0["internal"] as? Bool == true })
                let files = try await XCTUnwrapAsync(try json(try await call(.GET, "/cases/\(record.number)/files", token: token)) as? [[String: Any]])
                let listed = try await VisibleFiles(database: db).caseFiles(caseId: caseId)
                XCTAssertEqual(files.compactMap { $0["id"] as? Int }, listed.map(\.id), "\(username) files")
                let events = try await XCTUnwrapAsync(try json(try await call(.GET, "/cases/\(record.number)/events", token: token)) as? [[String: Any]])
                let customerEvents = try await CaseEvents.timeline(caseId: caseId, on: db).filter { $0.audience == .customer }
                XCTAssertEqual(events.compactMap { $0["id"] as? Int }, customerEvents.reversed().map(\.id), "\(username) events")
            }
            for file in everyFile {
                let owner = try await XCTUnwrapAsync(everyCase.first { $0.id == file.caseId })
                let sees = visible.contains(owner.number)
                let response = try await call(.GET, "/cases/\(owner.number)/files/\(try file.requireID())", token: token)
                XCTAssertEqual(response.status, sees ? .ok : .notFound, "\(username) file \(file.originalName)")
                if sees {
                    let stored = try await harness.stored(file.storageKey)
                    XCTAssertEqual(Array(response.body.readableBytesView), stored)
                }
                // A visible case's number with another case's file is no way in either.
                if let visibleOther = everyCase.first(where: { visible.contains($0.number) && $0.id != file.caseId }) {
                    let crossed = try await call(.GET, "/cases/\(visibleOther.number)/files/\(try file.requireID())", token: token)
                    XCTAssertEqual(crossed.status, .notFound)
                }
            }
            // Master data is the back office's.
            for path in ["/customers", "/objects", "/contacts", "/portal-users"] {
                let response = try await call(.GET, path, token: token)
                XCTAssertEqual(response.status, .forbidden, "\(username) \(path)")
            }
        }
        XCTAssertTrue(sawSomethingHidden, "the demo data must hide some case from some user, or this test proves nothing")
    }

    /// The search and filters are the portal's: the same `CaseFilter`, the same answer.
    func testTheListTakesThePortalsSearchAndFilters() async throws {
        let db = harness.app.db
        let (token, _) = try await token(portalUser: "faktura")
        let user = try await XCTUnwrapAsync(try await PortalUserRecord.query(on: db).filter(\.$username == "faktura").first())
        let principal = try await XCTUnwrapAsync(try await PortalSessionMiddleware.load(userId: try user.requireID(), on: db))
        let all = try await VisibleCases(database: db).page(for: principal.visibility, offset: 0, limit: 1_000)
        let word = try await XCTUnwrapAsync(all.first?.subject.split(separator: " ").first.map(String.init))
        var filter = CaseFilter()
        filter.text = word
        filter.sort = .newestFirst  // the API's order (its cursor's), not the lists' last-activity default
        let expected = try await VisibleCases(database: db).page(for: principal.visibility, filter: filter, offset: 0, limit: 1_000)
        let query = "&q=" + (word.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? word)
        let found = try await allCaseNumbers(token: token, query: query)
        XCTAssertEqual(found, expected.map(\.number))
        XCTAssertFalse(found.isEmpty)
        filter = CaseFilter()
        filter.statusGroup = .closed
        filter.sort = .newestFirst
        let closed = try await VisibleCases(database: db).page(for: principal.visibility, filter: filter, offset: 0, limit: 1_000)
        let closedFound = try await allCaseNumbers(token: token, query: "&group=closed")
        XCTAssertEqual(closedFound, closed.map(\.number))
    }

    /// Pages follow a keyset: a case made between two pages does not shift the next one.
    func testTheCursorIsStableWhenCasesArrive() async throws {
        let (staff, _) = try await token(staff: "admin@example.com")
        let first = try await XCTUnwrapAsync(try json(try await call(.GET, "/cases?limit=2", token: staff)) as? [String: Any])
        let cursor = try await XCTUnwrapAsync(first["nextCursor"] as? String)
        let before = try await XCTUnwrapAsync(try json(try await call(.GET, "/cases?limit=2&cursor=\(cursor)", token: staff)) as? [String: Any])
        let created = try await call(.POST, "/cases", token: staff, json: #"{"subject":"Arrived between pages","description":"x"}"#)
        XCTAssertEqual(created.status, .created, created.body.string)
        let after = try await XCTUnwrapAsync(try json(try await call(.GET, "/cases?limit=2&cursor=\(cursor)", token: staff)) as? [String: Any])
        XCTAssertEqual((after["items"] as? [[String: Any]])?.compactMap { $0["number"] as? Int },
                       (before["items"] as? [[String: Any]])?.compactMap { $0["number"] as? Int })
        let bad = try await call(.GET, "/cases?cursor=bm90LW91cnM", token: staff)
        XCTAssertEqual(bad.status, .badRequest)
    }

    // MARK: Refusals

    func testMissingUnknownRevokedAndExpiredTokensAre401() async throws {
        let (token, id) = try await token(portalUser: "anna")
        let missing = try await call(.GET, "/cases", token: nil)
        XCTAssertEqual(missing.status, .unauthorized)
        XCTAssertEqual(missing.headers.contentType?.description, "application/problem+json")
        XCTAssertEqual(missing.headers.first(name: .wwwAuthenticate), "Bearer")
        let problem = try await XCTUnwrapAsync(try json(missing) as? [String: Any])
        XCTAssertEqual(problem["status"] as? Int, 401)
        XCTAssertEqual(problem["type"] as? String, "about:blank")
        same(try await call(.GET, "/cases", token: "cpt_nottherealone").status, .unauthorized)
        same(try await call(.GET, "/cases", token: token).status, .ok)
        // A session cookie is no API credential.
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        same(try await browser.get(APIRoutes.prefix + "/cases").status, .unauthorized)

        let anna = try await XCTUnwrapAsync(try await PortalUserRecord.query(on: harness.app.db).filter(\.$username == "anna").first())
        let actor = try PortalActor(user: anna, viewer: try await PortalViewers.viewer(for: anna, on: harness.app.db))
        let context = OperationContext(database: harness.app.db,
                                       notifications: NotificationContext(translations: harness.app.caseport.translations,
                                                                          publicBaseURL: "http://localhost", companyName: "Test"))
        try await RevokeAPIToken.run(tokenId: id, by: actor, in: context)
        same(try await call(.GET, "/cases", token: token).status, .unauthorized)

        let (expired, _) = try await self.token(staff: "admin@example.com", expiresAt: Date().addingTimeInterval(-1))
        same(try await call(.GET, "/cases", token: expired).status, .unauthorized)
        // A deactivated user's token stops with the user.
        let (erik, _) = try await self.token(portalUser: "erik")
        let user = try await XCTUnwrapAsync(try await PortalUserRecord.query(on: harness.app.db).filter(\.$username == "erik").first())
        user.isActive = false
        try await user.save(on: harness.app.db)
        same(try await call(.GET, "/cases", token: erik).status, .unauthorized)
    }

    func testAReadTokenCannotWriteAndAPortalTokenCannotDoStaffWork() async throws {
        let (reader, _) = try await token(staff: "admin@example.com", scope: .read)
        same(try await call(.GET, "/customers", token: reader).status, .ok)
        let refused = try await call(.POST, "/cases", token: reader, json: #"{"subject":"s","description":"d"}"#)
        XCTAssertEqual(refused.status, .forbidden)
        XCTAssertEqual(refused.headers.contentType?.description, "application/problem+json")
        same(try await CaseRecord.query(on: harness.app.db).filter(\.$subject == "s").count(), 0)

        let (portal, _) = try await token(portalUser: "anna")
        let number = try await allCaseNumbers(token: portal).first!
        let status = try await call(.PUT, "/cases/\(number)/status", token: portal, json: #"{"status":"closed","version":1}"#)
        XCTAssertEqual(status.status, .forbidden)
        let note = try await call(.POST, "/cases/\(number)/messages", token: portal, json: #"{"body":"x","internal":true}"#)
        XCTAssertEqual(note.status, .forbidden)
    }

    func testATokenOverItsRateIsAnswered429WithRetryAfter() async throws {
        harness.app.apiRateLimiter = APIRateLimiter(perMinute: 3)
        let (token, _) = try await token(portalUser: "anna")
        let (other, _) = try await self.token(portalUser: "erik")
        for _ in 0..<3 { same(try await call(.GET, "/cases", token: token).status, .ok) }
        let limited = try await call(.GET, "/cases", token: token)
        XCTAssertEqual(limited.status, .tooManyRequests)
        let wait = try await XCTUnwrapAsync(limited.headers.first(name: .retryAfter).flatMap(Int.init))
        XCTAssertTrue((1...60).contains(wait))
        // Per token: another one is not held up.
        same(try await call(.GET, "/cases", token: other).status, .ok)
    }

    // MARK: Writing through the API runs the pages' operations

    func testAPortalTokenRegistersWritesUploadsAndReadsBack() async throws {
        let db = harness.app.db
        let (token, _) = try await token(portalUser: "anna")
        let invalid = try await call(.POST, "/cases", token: token, json: #"{"subject":"","description":""}"#)
        XCTAssertEqual(invalid.status, .unprocessableEntity)
        let problem = try await XCTUnwrapAsync(try json(invalid) as? [String: Any])
        XCTAssertEqual(problem["type"] as? String, APIProblem.invalidInputType)
        XCTAssertTrue((problem["errors"] as? [[String: Any]])?.contains { $0["field"] as? String == "subject" } == true, invalid.body.string)

        let created = try await call(.POST, "/cases", token: token, json: #"{"subject":"Läckande kran","description":"Droppar i köket"}"#)
        XCTAssertEqual(created.status, .created, created.body.string)
        let number = try await XCTUnwrapAsync((try json(created) as? [String: Any])?["id"] as? Int)
        let record = try await XCTUnwrapAsync(try await CaseRecord.query(on: db).filter(\.$number == number).first())
        XCTAssertEqual(record.origin, .portal)
        same(record.createdByUserId, try await XCTUnwrapAsync(try await PortalUserRecord.query(on: db).filter(\.$username == "anna").first()).id)

        let message = try await call(.POST, "/cases/\(number)/messages", token: token, json: #"{"body":"Hej från API:t"}"#)
        XCTAssertEqual(message.status, .created, message.body.string)
        let bytes: [UInt8] = Array("%PDF-1.4 test".utf8)
        let upload = try await call(.POST, "/cases/\(number)/files?name=kvitto.pdf", token: token, bytes: bytes)
        XCTAssertEqual(upload.status, .created, upload.body.string)
        let fileId = try await XCTUnwrapAsync((try json(upload) as? [String: Any])?["id"] as? Int)
        let download = try await call(.GET, "/cases/\(number)/files/\(fileId)", token: token)
        XCTAssertEqual(Array(download.body.readableBytesView), bytes)
        let events = try await XCTUnwrapAsync(try json(try await call(.GET, "/cases/\(number)/events", token: token)) as? [[String: Any]])
        let kinds = events.compactMap { $0["kind"] as? String }
        XCTAssertEqual(kinds.first, CaseEvent.Kind.created.rawValue)
        XCTAssertTrue(kinds.contains(CaseEvent.Kind.customerMessage.rawValue), "\(kinds)")
        XCTAssertTrue(kinds.contains(CaseEvent.Kind.filesUploaded.rawValue), "\(kinds)")

        // A category the portal does not offer is a 422, never a server error (found by schemathesis).
        let version = try await XCTUnwrapAsync((try json(try await call(.GET, "/cases/\(number)", token: token)) as? [String: Any])?["version"] as? Int)
        let unknown = try await call(.PATCH, "/cases/\(number)", token: token, json: #"{"version":\#(version),"categoryId":999999}"#)
        XCTAssertEqual(unknown.status, .unprocessableEntity, unknown.body.string)
        XCTAssertEqual(unknown.headers.contentType?.description, "application/problem+json")

        // Another organisation's token cannot reach it.
        let (erik, _) = try await self.token(portalUser: "erik")
        same(try await call(.GET, "/cases/\(number)", token: erik).status, .notFound)
        same(try await call(.POST, "/cases/\(number)/files?name=x.txt", token: erik, bytes: [1, 2, 3]).status, .notFound)
        same(try await call(.GET, "/cases/\(number)/files/\(fileId)", token: erik).status, .notFound)
    }

    func testAStaffTokenEditsAndMovesACase() async throws {
        let (token, _) = try await token(staff: "handler@example.com")
        let created = try await call(.POST, "/cases", token: token, json: #"{"subject":"Trappbelysning","description":"Trasig"}"#)
        XCTAssertEqual(created.status, .created, created.body.string)
        let number = try await XCTUnwrapAsync((try json(created) as? [String: Any])?["id"] as? Int)
        let read = try await XCTUnwrapAsync(try json(try await call(.GET, "/cases/\(number)", token: token)) as? [String: Any])
        let version = try await XCTUnwrapAsync(read["version"] as? Int)
        let edited = try await call(.PATCH, "/cases/\(number)", token: token, json: #"{"version":\#(version),"subject":"Trappbelysning plan 3"}"#)
        XCTAssertEqual(edited.status, .ok, edited.body.string)
        let after = try await XCTUnwrapAsync(try json(edited) as? [String: Any])
        XCTAssertEqual(after["subject"] as? String, "Trappbelysning plan 3")
        // The old version is stale now: 409, as on the page.
        let stale = try await call(.PATCH, "/cases/\(number)", token: token, json: #"{"version":\#(version),"subject":"x"}"#)
        XCTAssertEqual(stale.status, .conflict)
        let moved = try await call(.PUT, "/cases/\(number)/status", token: token,
                                   json: #"{"status":"open","version":\#(after["version"] as? Int ?? 0)}"#)
        XCTAssertEqual(moved.status, .ok, moved.body.string)
        XCTAssertEqual((try json(moved) as? [String: Any])?["status"] as? String, "open")
        let note = try await call(.POST, "/cases/\(number)/messages", token: token, json: #"{"body":"Intern","internal":true}"#)
        XCTAssertEqual(note.status, .created)
        let messages = try await XCTUnwrapAsync(try json(try await call(.GET, "/cases/\(number)/messages", token: token)) as? [[String: Any]])
        XCTAssertEqual(messages.last?["internal"] as? Bool, true)
        let badJSON = try await call(.POST, "/cases", token: token, json: "{not json")
        XCTAssertEqual(badJSON.status, .badRequest)
        XCTAssertEqual(badJSON.headers.contentType?.description, "application/problem+json")
        let unknown = try await call(.GET, "/nothing-here", token: token)
        XCTAssertEqual(unknown.status, .notFound)
        XCTAssertEqual(unknown.headers.contentType?.description, "application/problem+json")
    }

    func testStaffListsPageThroughTheRegister() async throws {
        let (token, _) = try await token(staff: "handler@example.com", scope: .read)
        var ids: [Int] = []
        var cursor: String?
        repeat {
            let path = "/customers?limit=1" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try await XCTUnwrapAsync(try json(try await call(.GET, path, token: token)) as? [String: Any])
            ids += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            cursor = page["nextCursor"] as? String
        } while cursor != nil && ids.count < 1_000
        let expected = try await CustomerRecord.query(on: harness.app.db).sort(\.$id).all().map { try $0.requireID() }
        XCTAssertEqual(ids, expected)
        for path in ["/objects", "/contacts", "/portal-users", "/inquiries"] {
            same(try await call(.GET, path, token: token).status, .ok, path)
        }
    }

    // MARK: The token pages

    /// The token shown once on the page works in the API until it is revoked on the same page; both
    /// steps are in the audit log; a handler cannot open the staff page, a plain user not the portal's.
    func testTheAdminPagesMakeShowOnceAndRevokeTokens() async throws {
        let db = harness.app.db
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        try await admin.get(StaffRoute.apiTokens.path())
        let handlerId = try await XCTUnwrapAsync(try await StaffUserRecord.query(on: db).filter(\.$email == "handler@example.com").first()).id!
        let made = try await admin.post(StaffRoute.apiTokenCreate.path(), ["name": "Fakturering", "owner": String(handlerId),
                                                                          "scope": "read", "expires": "30"])
        XCTAssertEqual(made.status, .ok)
        let range = try await XCTUnwrapAsync(made.body.string.range(of: #"cpt_[A-Za-z0-9_-]{43}"#, options: .regularExpression))
        let token = String(made.body.string[range])
        same(try await call(.GET, "/cases", token: token).status, .ok)
        same(try await call(.POST, "/cases", token: token, json: #"{"subject":"s","description":"d"}"#).status, .forbidden)
        // Shown once: the list never shows it again.
        let list = try await admin.get(StaffRoute.apiTokens.path())
        XCTAssertFalse(list.body.string.contains(token))
        XCTAssertTrue(list.body.string.contains(String(token.prefix(12))))
        let record = try await XCTUnwrapAsync(try await APITokenRecord.query(on: db).filter(\.$name == "Fakturering").first())
        // Issue 12 point 7: "Revoke" asks first; the question revokes nothing.
        let asked = try await admin.post(StaffRoute.apiTokenRevoke.path(record.id!), [:])
        XCTAssertEqual(asked.status, .ok)
        XCTAssertTrue(admin.lastBody.contains("Fakturering"))
        XCTAssertTrue(admin.lastBody.contains("name=\"confirm\" value=\"1\""))
        same(try await call(.GET, "/cases", token: token).status, .ok)
        let revoked = try await admin.post(StaffRoute.apiTokenRevoke.path(record.id!), ["confirm": "1"])
        XCTAssertEqual(revoked.status, .seeOther)
        same(try await call(.GET, "/cases", token: token).status, .unauthorized)
        same(try await AuditEventRecord.query(on: db).filter(\.$action == AuditAction.apiTokenCreated.rawValue).count(), 1)
        same(try await AuditEventRecord.query(on: db).filter(\.$action == AuditAction.apiTokenRevoked.rawValue).count(), 1)

        let handler = harness.browser()
        try await handler.staffLogin("handler@example.com")
        same(try await handler.get(StaffRoute.apiTokens.path()).status, .forbidden)

        // The customer administrator: a token for a user of their own organisation only.
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get(PortalRoute.apiTokens.path())
        let erik = try await XCTUnwrapAsync(try await PortalUserRecord.query(on: db).filter(\.$username == "erik").first())
        let foreign = try await anna.post(PortalRoute.apiTokenCreate.path(), ["name": "x", "owner": String(erik.id!), "scope": "read"])
        XCTAssertEqual(foreign.status, .notFound)
        let board = try await XCTUnwrapAsync(try await PortalUserRecord.query(on: db).filter(\.$username == "styrelsen").first())
        try await anna.get(PortalRoute.apiTokens.path())
        let own = try await anna.post(PortalRoute.apiTokenCreate.path(), ["name": "Styrelsens skript", "owner": String(board.id!),
                                                                         "scope": "read", "expires": ""])
        XCTAssertEqual(own.status, .ok)
        let ownRange = try await XCTUnwrapAsync(own.body.string.range(of: #"cpt_[A-Za-z0-9_-]{43}"#, options: .regularExpression))
        let boardToken = String(own.body.string[ownRange])
        let boardCases = try await allCaseNumbers(token: boardToken)
        let principal = try await XCTUnwrapAsync(try await PortalSessionMiddleware.load(userId: board.id!, on: db))
        // The API lists newest created first (its cursor's order), whatever the lists' default order.
        var newestFirst = CaseFilter()
        newestFirst.sort = .newestFirst
        let expected = try await VisibleCases(database: db).page(for: principal.visibility, filter: newestFirst, offset: 0, limit: 1_000)
            .map(\.number)
        XCTAssertEqual(boardCases, expected)
        let plain = harness.browser()
        try await plain.portalLogin("norrsken", "erik")
        same(try await plain.get(PortalRoute.apiTokens.path()).status, .notFound)

        // Issue 12 point 7: "Revoke" asks first, naming the token; the question revokes nothing, and
        // someone who may not manage the token gets a 404 rather than its name.
        let boardRecord = try await XCTUnwrapAsync(try await APITokenRecord.query(on: db).filter(\.$name == "Styrelsens skript").first())
        try await plain.get(PortalRoute.cases.path())
        same(try await plain.post(PortalRoute.apiTokenRevoke.path(boardRecord.id!), [:]).status, .notFound)
        try await anna.get(PortalRoute.apiTokens.path())
        let askedPortal = try await anna.post(PortalRoute.apiTokenRevoke.path(boardRecord.id!), [:])
        XCTAssertEqual(askedPortal.status, .ok)
        XCTAssertTrue(anna.lastBody.contains("Styrelsens skript"))
        XCTAssertTrue(anna.lastBody.contains("name=\"confirm\" value=\"1\""))
        let stillWorks = try await allCaseNumbers(token: boardToken)
        XCTAssertEqual(stillWorks, expected)
        let revokedPortal = try await anna.post(PortalRoute.apiTokenRevoke.path(boardRecord.id!), ["confirm": "1"])
        XCTAssertEqual(revokedPortal.status, .seeOther)
        let after = try await APITokenRecord.find(boardRecord.id, on: db)
        XCTAssertNotNil(after?.revokedAt)
    }
}

/// `XCTUnwrap` for an async expression's value.
func XCTUnwrapAsync<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) async throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}
/// XCTAssertEqual for values computed with `await` (XCTest's autoclosures cannot await).
func same<T: Equatable>(_ a: T, _ b: T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a, b, message, file: file, line: line)
}

func isNil<T>(_ a: T?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertNil(a, message, file: file, line: line)
}

