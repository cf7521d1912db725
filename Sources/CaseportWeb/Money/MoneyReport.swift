import CaseportCore
import CaseportPDF
import CaseportStore
import Vapor

/// The case report's article-rows table (E2 + B8): the deployment's "Actions" columns, one line per
/// booked row, and a totals line; nil (no section) when the case has no rows.
enum MoneyReport {
    static func articleRows(_ request: Request, caseId: Int, settings: PortalSettings) async throws -> CaseReport.Table? {
        let rows = try await CaseMoney(database: request.database).rows(caseId: caseId)
        guard !rows.isEmpty else { return nil }
        let columns = settings.actionColumns.isEmpty ? ActionColumn.standard : settings.actionColumns
        // The article name gets the room it needs; the rest share what is left.
        let wide: Set<ActionColumn> = [.article, .note]
        let wideCount = columns.filter(wide.contains).count
        let narrowShare = 1.0 / Double(columns.count + wideCount)
        let pdfColumns = columns.map { column in
            FlowLayout.Column(request.t(column.labelKey), fraction: wide.contains(column) ? 2 * narrowShare : narrowShare,
                              alignRight: MoneyViews.isNumeric(column))
        }
        var lines = rows.map { row in MoneyViews.cells(columns, MoneyViews.Shown(row), request: request).map(\.text) }
        lines.append(MoneyViews.totals(columns, MoneyTotals(rows: rows.map(\.amounts)), request: request).map(\.text))
        return CaseReport.Table(heading: request.t("report_article_rows"), columns: pdfColumns, rows: lines)
    }
}
