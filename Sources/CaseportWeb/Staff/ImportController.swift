import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// CSV import of customers, objects, contacts and portal users (D6), for administrators only:
/// upload → a preview listing every row's problems, with nothing imported (`PreviewImport`) → "import"
/// checks the rows again against the database inside one transaction and writes all of them or none
/// (`RunImport`). Between the two steps the file waits in `FileStorage`; the form carries its key.
struct ImportController: RouteCollection {
    static let maximumBytes = 20 * 1024 * 1024
    /// The preview lists this many problem rows; beyond it, it says there are more.
    static let shownProblemRows = 1_000

    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.importForm, use: form)
        routes.on(StaffRoute.importPreview, body: .collect(maxSize: ByteCount(value: Self.maximumBytes)), use: preview).acceptsMultipart(collecting: Self.maximumBytes)
        routes.on(StaffRoute.importRun, use: run)
    }

    struct Upload: Content {
        var kind: String?
        var file: File?
    }

    struct FormPage: Encodable {
        var layout: Layout
        var tabs: [MasterDataPages.Tab]
        var kinds: [SelectOption]
        var error: String?
        var notice: String?
        /// Download links of the CSV export (D6), one per kind: `value` is the link.
        var exports: [SelectOption]
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
        /// How the file's bytes were read, e.g. "Windows-1252 (Excel, semicolon separated)".
        var encoding: String
    }

    static func kinds(_ request: Request, selected: ImportKind?) -> [SelectOption] {
        ImportKind.allCases.map { kind in
            SelectOption(value: kind.rawValue, name: request.t("import_kind_\(kind.rawValue)"), selected: kind == selected,
                         detail: kind.columns.map { $0.name + ($0.required ? "*" : "") }.joined(separator: ", "))
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
                            kinds: Self.kinds(request, selected: selected ?? .contacts), error: error, notice: notice,
                            exports: ImportKind.allCases.map { kind in
                                SelectOption(value: StaffRoute.exportCSV.path(kind.rawValue),
                                             name: request.t("import_kind_\(kind.rawValue)"), selected: false)
                            })
        return request.view.render("staff/import", page)
    }

    func formResponse(_ request: Request, selected: ImportKind?, error: String) async throws -> Response {
        let response = try await renderForm(request, selected: selected, error: error).get().encodeResponse(for: request).get()
        response.status = .unprocessableEntity
        return response
    }

    func preview(request: Request) async throws -> Response {
        let upload = try? request.content.decode(Upload.self)
        let kind = upload?.kind.flatMap(ImportKind.init(rawValue:))
        let input = PreviewImport.Input(kind: kind, fileName: upload?.file?.filename ?? "",
                                        bytes: upload?.file.map { Array($0.data.readableBytesView) })
        switch try await PreviewImport.run(input, by: try request.staffMember(), in: request.operations, storage: request.caseport.storage) {
        case .problems(let problems):
            let key = problems[.kind] ?? problems[.file] ?? ProblemKey.required
            return try await formResponse(request, selected: kind, error: request.t(key))
        case .done(.unreadable(let problem)):
            return try await formResponse(request, selected: kind, error: request.t("import_error_file")
                .replacingOccurrences(of: "{reason}", with: Self.describe(request, problem)))
        case .done(.checked(let preview)):
            return try await renderPreview(request, preview, changed: false)
        }
    }

    func run(request: Request) async throws -> Response {
        let form = try request.form(ImportRunForm.self)
        guard let kind = ImportKind(rawValue: form.kind) else { throw Abort(.badRequest) }
        let input = RunImport.Input(kind: kind, upload: form.upload, fileName: form.fileName, sendLoginDetails: form.sendLoginDetails,
                                    mailLanguage: request.language)
        switch try await RunImport.run(input, by: try request.staffMember(), in: request.operations, storage: request.caseport.storage,
                                       passwords: request.caseport.passwords) {
        case .problems(let problems):
            return try await formResponse(request, selected: kind, error: request.t(problems[.upload] ?? "import_expired"))
        case .done(.rowsChanged(let preview)):
            return try await renderPreview(request, preview, changed: true)
        case .done(.imported(let rows)):
            return request.redirect(to: StaffRoute.importForm, notice: Notice(.imported, count: rows), query: [("kind", kind.rawValue)])
        }
    }

    /// A file that cannot be read, in words in the user's language, naming the line and column.
    static func describe(_ request: Request, _ problem: CSVTable.Problem?) -> String {
        func place(_ position: CSVTable.Position) -> String {
            var values = ["line": String(position.line), "column": String(position.column)]
            if let name = position.columnName { values["name"] = name }
            return Notifications.fill(request.t(position.columnName == nil ? "import_error_place" : "import_error_place_named"), values)
        }
        switch problem {
        case .unterminatedQuote(let position):
            return Notifications.fill(request.t("import_error_unterminated_quote"), ["place": place(position)])
        case .textAfterQuote(let position):
            return Notifications.fill(request.t("import_error_text_after_quote"), ["place": place(position)])
        case .invalidUTF8(let position):
            return Notifications.fill(request.t("import_error_invalid_utf8"), ["place": place(position)])
        case .empty, nil:
            return request.t("import_error_empty_file")
        }
    }

    static func text(_ request: Request, _ problem: ImportProblem) -> String {
        Notifications.fill(request.t(problem.key), problem.values)
    }

    func renderPreview(_ request: Request, _ preview: ImportPreview, changed: Bool) async throws -> Response {
        let (kind, table, check) = (preview.kind, preview.table, preview.check)
        let problemRows = check.problemRows
        let columns = kind.columns.map(\.name)
        let page = PreviewPage(
            layout: Layout(request, title: request.t("import_preview_title"), area: "staff"),
            tabs: MasterDataPages.tabs(request, current: "import"),
            kind: kind.rawValue, kindName: request.t("import_kind_\(kind.rawValue)"), fileName: preview.fileName, upload: preview.upload,
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
            changed: changed, encoding: request.t("import_encoding_\(table.encoding.rawValue)"))
        let response = try await request.view.render("staff/import-preview", page).encodeResponse(for: request).get()
        response.status = check.isClean ? .ok : .unprocessableEntity
        return response
    }
}

/// The preview page's "import" form (D6): the kind, the upload's storage key, the file's name and,
/// for portal users, whether to send login details.
struct ImportRunForm: PostedForm {
    static var longestValue: Int { 200 }
    var kind = "", upload = "", fileName = "", sendLoginDetails = false

    enum CodingKeys: String, CodingKey {
        case kind, upload, fileName = "file_name", sendLoginDetails = "send_login_details"
    }
}
