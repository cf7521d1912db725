import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// CSV import of customers, objects, contacts and portal users (D6), for administrators only:
/// upload → a preview listing every row's problems, with nothing written → "import" checks the
/// rows again against the database inside one transaction and writes all of them or none.
/// Between the two steps the file waits in `<data>/imports/<random token>.csv`.
struct ImportController: RouteCollection {
    static let maximumBytes = 20 * 1024 * 1024
    /// The preview lists this many problem rows; beyond it, it says there are more.
    static let shownProblemRows = 1_000

    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.importForm, use: form)
        routes.on(StaffRoute.importPreview, body: .collect(maxSize: ByteCount(value: Self.maximumBytes)), use: preview).acceptsMultipart()
        routes.on(StaffRoute.importRun, use: run)
    }

    struct Upload: Content {
        var kind: String?
        var file: File?
    }

    struct KindOption: Encodable {
        var value: String
        var name: String
        var selected: Bool
        var columns: String
    }

    struct FormPage: Encodable {
        var layout: Layout
        var tabs: [MasterDataPages.Tab]
        var kinds: [KindOption]
        var error: String?
        var notice: String?
    }

    struct ProblemRow: Encodable {
        var line: Int
        var values: String
        var problems: [String]
    }

    struct PreviewPage: Encodable {
        var layout: Layout
        var tabs: [MasterDataPages.Tab]
        var kind: String
        var kindName: String
        var fileName: String
        var upload: String
        var total: Int
        var bad: Int
        var good: Int
        var fileProblems: [String]
        var problemRows: [ProblemRow]
        var moreProblems: Bool
        var headers: [String]
        var sample: [[String]]
        var clean: Bool
        var offerLoginDetails: Bool
        var sendLoginDetails: Bool
        var changed: Bool
    }

    static func kinds(_ request: Request, selected: ImportKind?) -> [KindOption] {
        ImportKind.allCases.map { kind in
            KindOption(value: kind.rawValue, name: request.t("import_kind_\(kind.rawValue)"), selected: kind == selected,
                       columns: kind.columns.map { $0.name + ($0.required ? "*" : "") }.joined(separator: ", "))
        }
    }

    func form(request: Request) async throws -> View {
        let done = request.notice([.imported: "import_done"])
        let selected = (try? request.query.get(String.self, at: "kind")).flatMap(ImportKind.init(rawValue:))
        return try await renderForm(request, selected: selected, error: nil, notice: done).get()
    }

    func renderForm(_ request: Request, selected: ImportKind?, error: String?, notice: String? = nil) async throws -> EventLoopFuture<View> {
        let page = FormPage(layout: Layout(request, title: request.t("import_title"), area: "staff"),
                            tabs: MasterDataPages.tabs(request, current: "import"),
                            kinds: Self.kinds(request, selected: selected ?? .contacts), error: error, notice: notice)
        return request.view.render("staff/import", page)
    }

    func formResponse(_ request: Request, selected: ImportKind?, error: String) async throws -> Response {
        let response = try await renderForm(request, selected: selected, error: error).get().encodeResponse(for: request).get()
        response.status = .unprocessableEntity
        return response
    }

    static func directory(_ request: Request) -> URL {
        URL(fileURLWithPath: request.caseport.config.dataDirectory).appendingPathComponent("imports")
    }

    static func file(_ request: Request, token: String) -> URL? {
        guard token.count == 43, token.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        return directory(request).appendingPathComponent("\(token).csv")
    }

    func preview(request: Request) async throws -> Response {
        let upload = try? request.content.decode(Upload.self)
        let kind = upload?.kind.flatMap(ImportKind.init(rawValue:))
        guard let kind else { return try await formResponse(request, selected: nil, error: request.t("form_required")) }
        guard let file = upload?.file, file.data.readableBytes > 0 else {
            return try await formResponse(request, selected: kind, error: request.t("import_error_no_file"))
        }
        let data = Data(buffer: file.data)
        let table: CSVTable
        do {
            table = try CSVTable.parse(data: data)
        } catch {
            return try await formResponse(request, selected: kind, error: request.t("import_error_file")
                .replacingOccurrences(of: "{reason}", with: Self.describe(error)))
        }
        // Old uploads (over a day) are cleared whenever a new one arrives.
        let directory = Self.directory(request)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        Self.removeStale(in: directory)
        let token = Sessions.newToken()
        try data.write(to: directory.appendingPathComponent("\(token).csv"))
        let check = try await Self.check(request, table: table, kind: kind, on: request.db)
        return try await renderPreview(request, kind: kind, fileName: file.filename, token: token, table: table, check: check, changed: false)
    }

    func run(request: Request) async throws -> Response {
        let values = request.formValues(longest: 200)
        guard let kind = values["kind"].flatMap(ImportKind.init(rawValue:)) else { throw Abort(.badRequest) }
        let token = values["upload"] ?? ""
        guard let url = Self.file(request, token: token), let data = try? Data(contentsOf: url),
              let table = try? CSVTable.parse(data: data) else {
            return try await formResponse(request, selected: kind, error: request.t("import_expired"))
        }
        let fileName = String((values["file_name"] ?? "").prefix(200))
        let sendDetails = values["send_login_details"] != nil
        let hash = try await request.caseport.passwords.hash(Sessions.newToken())
        // Checked again inside the transaction: the register may have changed since the preview.
        let outcome = try await request.db.transaction { tx -> ImportCheck? in
            let check = try await Self.check(request, table: table, kind: kind, on: tx)
            guard check.isClean else { return check }
            let importer = MasterDataImport(database: tx)
            let ids = try await importer.write(check.rows, kind: kind, known: try await importer.known(for: check.rows, kind: kind),
                                               passwordHash: hash)
            var mailed = 0
            if kind == .users, sendDetails {
                mailed = try await Self.queueLoginDetails(request, rows: check.rows, ids: ids, on: tx)
            }
            try await request.audit(.dataImported, subject: "import \(kind.rawValue)",
                                    details: "\(check.rows.count) rows from \(fileName.isEmpty ? "a CSV file" : fileName)"
                                        + (mailed > 0 ? ", login details queued for \(mailed)" : ""), on: tx)
            return nil
        }
        if let problems = outcome {
            return try await renderPreview(request, kind: kind, fileName: fileName, token: token, table: table, check: problems, changed: true)
        }
        try? FileManager.default.removeItem(at: url)
        return request.redirect(to: StaffRoute.importForm, notice: Notice(.imported, count: table.rows.count), query: [("kind", kind.rawValue)])
    }

    /// A one-time set-password link for every imported user with an e-mail address (as A9's
    /// "send login details"): written to the outbox in the import's transaction.
    static func queueLoginDetails(_ request: Request, rows: [ImportRow], ids: [Int], on db: any Database) async throws -> Int {
        let numbers = Set(rows.map { $0["customer_number"] })
        let organisations = Dictionary(try await CustomerRecord.query(on: db).filter(\.$customerNumber ~~ numbers).all()
            .map { ($0.customerNumber, $0) }, uniquingKeysWith: { a, _ in a })
        let tokens = AccountTokens(database: db)
        var count = 0
        for (row, id) in zip(rows, ids) where !row["email"].isEmpty {
            guard let organisation = organisations[row["customer_number"]] else { continue }
            let token = try await tokens.issue(userId: id, purpose: "set_password", lifetime: 7 * 24 * 3_600)
            try await Notifications.loginDetails(
                request.notificationContext, to: row["email"], name: "\(row["first_name"]) \(row["last_name"])", organisation: organisation.shortCode,
                username: row["username"], link: "\(request.publicBaseURL)/password/set?token=\(token)", language: request.language)
                .create(on: db)
            count += 1
        }
        return count
    }

    static func check(_ request: Request, table: CSVTable, kind: ImportKind, on db: any Database) async throws -> ImportCheck {
        let rows = ImportRules.rows(table, kind: kind)
        guard rows.fileProblems.isEmpty else { return rows }
        let known = try await MasterDataImport(database: db).known(for: rows.rows, kind: kind)
        return ImportRules.check(table, kind: kind, known: known)
    }

    static func describe(_ error: any Error) -> String {
        switch error as? CSVTable.Problem {
        case .unterminatedQuote(let line): return "\" line \(line)"
        case .textAfterQuote(let line): return "\"…\"x line \(line)"
        case .notUTF8: return "UTF-8"
        case .empty: return "0"
        case nil: return ""
        }
    }

    static func removeStale(in directory: URL) {
        let old = Date().addingTimeInterval(-24 * 3_600)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
            let url = directory.appendingPathComponent(name)
            if let modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date, modified < old {
                try? FileManager.default.removeItem(at: url)
            }
        }
    }

    static func text(_ request: Request, _ problem: ImportProblem) -> String {
        Notifications.fill(request.t(problem.key), problem.values)
    }

    func renderPreview(_ request: Request, kind: ImportKind, fileName: String, token: String, table: CSVTable, check: ImportCheck,
                       changed: Bool) async throws -> Response {
        let problemRows = check.problemRows
        let columns = kind.columns.map(\.name)
        let page = PreviewPage(
            layout: Layout(request, title: request.t("import_preview_title"), area: "staff"),
            tabs: MasterDataPages.tabs(request, current: "import"),
            kind: kind.rawValue, kindName: request.t("import_kind_\(kind.rawValue)"), fileName: fileName, upload: token,
            total: table.rows.count, bad: problemRows.count, good: check.rows.count - problemRows.count,
            fileProblems: check.fileProblems.map { Self.text(request, $0) },
            problemRows: problemRows.prefix(Self.shownProblemRows).map { row in
                ProblemRow(line: row.line, values: columns.map { row[$0] }.filter { !$0.isEmpty }.joined(separator: " · "),
                           problems: row.problems.map { Self.text(request, $0) })
            },
            moreProblems: problemRows.count > Self.shownProblemRows,
            headers: columns,
            sample: check.isClean ? check.rows.prefix(10).map { row in columns.map { row[$0] } } : [],
            clean: check.isClean, offerLoginDetails: kind == .users,
            sendLoginDetails: request.method == .POST && (try? request.content.get(String.self, at: "send_login_details")) != nil,
            changed: changed)
        let response = try await request.view.render("staff/import-preview", page).encodeResponse(for: request).get()
        response.status = check.isClean ? .ok : .unprocessableEntity
        return response
    }
}
