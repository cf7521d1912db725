import CaseportCore
import CaseportStore
import CaseportTestSupport
@testable import CaseportWeb
import Foundation
import Fluent
import NIOCore
import Vapor
import XCTVapor
import XCTest

/// A configured Caseport app on a fresh database with the demo data, exactly as `caseport demo` makes it.
/// bcrypt runs at a low cost here to keep the suite quick; the code path is the production one.
final class WebHarness: @unchecked Sendable {
    let app: Application
    let location: DatabaseLocation
    let dataDirectory: String

    /// `adjust` changes the configuration before the app is configured (a public URL, proxies, …).
    init(loadDemo: Bool = true, adjust: (inout AppConfig) -> Void = { _ in }) async throws {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-web-\(UUID().uuidString)").path
        // The database is chosen below, once `adjust` has said where files are kept.
        var config = AppConfig(database: .sqlite(path: ""), bcryptCost: 4, secureCookies: .auto, dataDirectory: dataDirectory)
        adjust(&config)
        // The demo comes as a copy made once per test run, its files copied into the data directory, when
        // files are kept there; in an object store they are written for this test.
        let copiedDemo = loadDemo && config.objectStore == nil
        location = copiedDemo ? try await TestDatabase.fresh(seed: Self.demo, dataDirectory: dataDirectory) : try await TestDatabase.fresh()
        config.database = location
        app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        try await configure(app, config: config)
        // The database is a migrated copy of the template: this only applies the SQLite settings.
        try await prepareDatabase(app)
        if loadDemo && !copiedDemo {
            try await DemoData.load(on: app.db, hasher: app.caseport.passwords, storage: app.caseport.storage)
        }
    }

    /// `caseport demo`'s data as the app writes it (bcrypt at the tests' cost, files on local disk).
    static let demo = TestSeed(name: "demo") { database, dataDirectory in
        try await DemoData.load(on: database, hasher: BcryptPasswords(cost: 4, threadPool: .singleton),
                                storage: LocalFileStorage(dataDirectory: dataDirectory))
    }

    func shutdown() async throws {
        try await app.asyncShutdown()
        await TestDatabase.drop(location)
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    func browser() -> Browser { Browser(app: app) }

    /// The bytes storage holds under `key`, or nil when it holds none (read through `FileStorage`).
    func stored(_ key: String) async throws -> [UInt8]? {
        do {
            return try await app.caseport.storage.open(key: key).collect()
        } catch FileStorageError.notFound {
            return nil
        }
    }

    /// Where the local store stages uploads and large mail (tests check nothing is left there).
    var incomingDirectory: URL { (app.caseport.storage as! LocalFileStorage).incomingDirectory }
}

extension Browser {
    /// The portal menu's "needs your action (n)" on the last page; nil when the page has no such count.
    var menuCount: Int? {
        guard let link = lastBody.range(of: "id=\"needs-action-link\"") else { return nil }
        let after = lastBody[link.upperBound...]
        guard let open = after.range(of: "<span class=\"visually-hidden\">(</span>") else { return nil }
        return Int(after[open.upperBound...].prefix { $0.isNumber })
    }
}

/// A minimal browser: keeps cookies, reads the CSRF token from the last page, submits forms.
final class Browser: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]
    var lastBody = ""

    init(app: Application) { self.app = app }

    var csrfToken: String? {
        guard let range = lastBody.range(of: #"name="csrf_token" value="([^"]+)""#, options: .regularExpression) else { return nil }
        let match = String(lastBody[range])
        return match.components(separatedBy: "value=\"").last?.replacingOccurrences(of: "\"", with: "")
    }

    @discardableResult
    func get(_ path: String, headers extra: HTTPHeaders = [:]) async throws -> XCTHTTPResponse {
        try await send(.GET, path, headers: extra, body: nil)
    }

    /// Posts a form with the page's CSRF token added (unless `csrf` is false).
    @discardableResult
    func post(_ path: String, _ fields: [String: String], csrf: Bool = true,
              headers extra: HTTPHeaders = [:]) async throws -> XCTHTTPResponse {
        var fields = fields
        if csrf, fields["csrf_token"] == nil {
            if csrfToken == nil { try await get("/login") }
            fields["csrf_token"] = csrfToken ?? ""
        }
        var headers = extra
        headers.contentType = .urlEncodedForm
        let body = fields.map { key, value in
            "\(Self.formEncode(key))=\(Self.formEncode(value))"
        }.joined(separator: "&")
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!
    }

    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: ByteBuffer?) async throws -> XCTHTTPResponse {
        var headers = headers
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0)=\($1)" }.joined(separator: "; "))
        }
        let response = try await app.testable().sendRequest(method, path, headers: headers, body: body)
        for (name, value) in response.headers.setCookie?.all ?? [:] {
            if value.string.isEmpty || value.maxAge == 0 { cookies[name] = nil } else { cookies[name] = value.string }
        }
        let text = response.body.string
        if response.headers.contentType?.subType == "html" { lastBody = text }
        return response
    }

    /// Logs in to the portal with a demo account.
    @discardableResult
    func portalLogin(_ organisation: String, _ username: String, password: String = DemoData.password) async throws -> XCTHTTPResponse {
        try await get("/login")
        return try await post("/login", ["organisation": organisation, "username": username, "password": password])
    }

    @discardableResult
    func staffLogin(_ email: String, password: String = DemoData.password) async throws -> XCTHTTPResponse {
        try await get("/staff/login")
        return try await post("/staff/login", ["email": email, "password": password])
    }
}

extension Browser {
    /// Posts files as multipart/form-data, the way the case page's upload form does: the CSRF token
    /// is the body's first field (never in the address), then any other fields, then the files.
    @discardableResult
    func upload(_ path: String, files: [(name: String, type: String, bytes: [UInt8])], csrf: Bool = true,
                field: String = "files", fields: [(String, String)] = []) async throws -> XCTHTTPResponse {
        let (headers, body) = Self.multipart(files: files, token: csrf ? (csrfToken ?? "") : nil, field: field, fields: fields)
        return try await send(.POST, path, headers: headers, body: body)
    }

    /// A multipart body: the token first (when given), the fields, then the files.
    static func multipart(files: [(name: String, type: String, bytes: [UInt8])], token: String?, field: String = "files",
                          fields: [(String, String)] = []) -> (HTTPHeaders, ByteBuffer) {
        let boundary = "----caseport-test-\(UUID().uuidString)"
        var body = ByteBuffer()
        var all = fields
        if let token { all.insert(("csrf_token", token), at: 0) }
        for (name, value) in all {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        for file in files {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(file.name)\"\r\nContent-Type: \(file.type)\r\n\r\n")
            body.writeBytes(file.bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return (headers, body)
    }

    /// Case numbers listed on the last page, in order.
    var listedCaseNumbers: [Int] {
        var numbers: [Int] = []
        var rest = Substring(lastBody)
        while let range = rest.range(of: "data-case-number=\"") {
            rest = rest[range.upperBound...]
            if let number = Int(rest.prefix { $0.isNumber }) { numbers.append(number) }
        }
        return numbers
    }
}

/// Small fixtures read from the demo data.
enum Demo {
    static func customer(_ number: String, on db: any Database) async throws -> CustomerRecord {
        try await CustomerRecord.query(on: db).filter(\.$customerNumber == number).first()!
    }

    static func caseNumbers(ofCustomer number: String, on db: any Database) async throws -> Set<Int> {
        let customer = try await customer(number, on: db)
        return Set(try await CaseRecord.query(on: db).filter(\.$customerId == customer.id!).all().map(\.number))
    }

    static func pngBytes() -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 32)
    }
}
