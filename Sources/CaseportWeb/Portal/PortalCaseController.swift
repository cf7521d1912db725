import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// The first pages behind the login: the viewer's cases and one case (B1, B5 in outline).
/// Every read goes through `VisibleCases`, which applies the A7 rule in SQL.
struct PortalCaseController: RouteCollection {
    static let pageSize = 25

    func boot(routes: any RoutesBuilder) throws {
        routes.get("cases", use: list)
        routes.get("cases", ":number", use: show)
    }

    struct CaseRow: Encodable {
        var number: Int
        var subject: String
        var summary: String
        var preview: String
        var status: String
        var closed: Bool
        var createdAt: String
        var createdBy: String
        var fromPortal: Bool
    }

    struct ListPage: Encodable {
        var layout: Layout
        var cases: [CaseRow]
        var page: Int
        var pageCount: Int
        var total: Int
        var previousPage: Int?
        var nextPage: Int?
    }

    func list(request: Request) async throws -> View {
        let principal = try request.requirePortal()
        let cases = VisibleCases(database: request.db)
        let total = try await cases.count(for: principal.visibility)
        let pageCount = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        let requested = (try? request.query.get(Int.self, at: "page")) ?? 1
        let page = min(max(1, requested), pageCount)
        let rows = try await cases.page(for: principal.visibility, offset: (page - 1) * Self.pageSize,
                                        limit: Self.pageSize)
        let language = request.language
        let context = ListPage(
            layout: Layout(request, title: request.t("cases_title")),
            cases: rows.map { row in
                CaseRow(number: row.number, subject: row.subject,
                        summary: Self.shorten(row.description, to: 90),
                        preview: Self.shorten(row.description, to: 500),
                        status: request.t(row.status.labelKey), closed: row.status.isClosed,
                        createdAt: language.formatDateTime(row.createdAt), createdBy: row.createdByName,
                        fromPortal: row.origin == .portal)
            },
            page: page, pageCount: pageCount, total: total,
            previousPage: page > 1 ? page - 1 : nil, nextPage: page < pageCount ? page + 1 : nil)
        return try await request.view.render("portal/cases", context)
    }

    struct CasePage: Encodable {
        var layout: Layout
        var number: Int
        var subject: String
        var description: String
        var status: String
        var closed: Bool
        var category: String?
        var caseType: String?
        var priority: String?
        var customerName: String?
        var objectName: String?
        var objectAddress: String?
        var createdAt: String
        var updatedAt: String
        var createdBy: String
        var fromPortal: Bool
    }

    func show(request: Request) async throws -> View {
        let principal = try request.requirePortal()
        // A number that is malformed, missing or outside the viewer's rule gets the same 404.
        guard let raw = request.parameters.get("number"), raw.count <= 12, let number = Int(raw),
              let detail = try await VisibleCases(database: request.db).find(number: number, for: principal.visibility)
        else { throw Abort(.notFound) }
        let language = request.language
        let context = CasePage(
            layout: Layout(request, title: "\(request.t("case_number_short")) \(detail.number) – \(detail.subject)"),
            number: detail.number, subject: detail.subject, description: detail.description,
            status: request.t(detail.status.labelKey), closed: detail.status.isClosed,
            category: detail.category, caseType: detail.caseType, priority: detail.priority,
            customerName: detail.customerName, objectName: detail.objectName, objectAddress: detail.objectAddress,
            createdAt: language.formatDateTime(detail.createdAt), updatedAt: language.formatDateTime(detail.updatedAt),
            createdBy: detail.createdByName, fromPortal: detail.origin == .portal)
        return try await request.view.render("portal/case", context)
    }

    /// The first `limit` characters, cut at a word where possible, with an ellipsis when cut.
    static func shorten(_ text: String, to limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard flat.count > limit else { return flat }
        let cut = flat.prefix(limit)
        let atWord = cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut
        return atWord.trimmingCharacters(in: .whitespaces) + "…"
    }
}
