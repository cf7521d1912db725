import CaseportCore
import CaseportOperations
import CaseportPDF
import CaseportStore
import Fluent
import Foundation

/// Lays a `MonthlyReportContent` out as the project's PDF (`CaseportPDF.MonthlyReport`) in a language:
/// the renderer `MonthlyReportRound` and `RegenerateMonthlyReport` are given. Used by the job in `serve`,
/// the staff page's "make now" and `caseport-bench monthly-reports`.
struct MonthlyReportPDF: Sendable {
    let database: any Database
    let storage: any FileStorage
    let translations: Translations
    let fontsDirectory: URL
    let companyName: String

    var renderer: MonthlyReportRenderer {
        { content, language in try await render(content, language: language) }
    }

    func render(_ content: MonthlyReportContent, language: Language, printed: Date = Date()) async throws -> [UInt8] {
        let t = { (key: String) in translations.text(key, in: language) }
        let settings = try await SettingsStore(database: database).load()
        var logo: [UInt8]?
        if let key = settings.branding.logoKey, let type = settings.branding.logoType, ["image/png", "image/jpeg"].contains(type) {
            logo = try? await storage.open(key: key).collect()
        }
        func days(_ seconds: Double?) -> String {
            guard let seconds else { return "–" }
            let text = String(format: "%.1f", seconds / 86_400)
            return language == .en ? text : text.replacingOccurrences(of: ".", with: ",")
        }
        func money(_ minor: Int) -> String { Money(minor: minor).formatted(language) }
        func day(_ date: Date) -> String { language.formatDay(DashboardPeriod(from: date, to: date.addingTimeInterval(86_400)).firstDay) }
        let period = content.month.period
        let createdHeading = t("monthly_report_created_heading")
        let closedHeading = t("monthly_report_closed_heading")
        var notes: [String: String] = [:]
        if content.createdTotal > content.created.count {
            notes[createdHeading] = t("monthly_report_partial").replacingOccurrences(of: "{shown}", with: String(content.created.count))
                .replacingOccurrences(of: "{total}", with: String(content.createdTotal))
        }
        if content.closedTotal > content.closed.count {
            notes[closedHeading] = t("monthly_report_partial").replacingOccurrences(of: "{shown}", with: String(content.closed.count))
                .replacingOccurrences(of: "{total}", with: String(content.closedTotal))
        }
        let template = t("report_page_of")
        let report = MonthlyReport(
            title: t("monthly_report_title").replacingOccurrences(of: "{customer}", with: content.customerName)
                .replacingOccurrences(of: "{month}", with: content.month.text),
            summary: [
                (t("case_customer"), content.customerName),
                (t("monthly_report_period"), "\(language.formatDay(period.firstDay)) – \(language.formatDay(period.lastDay))"),
                (t("monthly_report_cases_created"), String(content.createdTotal)),
                (t("monthly_report_cases_closed"), String(content.closedTotal)),
                (t("dashboard_median_days"), days(content.medianLeadTime)),
                (t("dashboard_p90_days"), days(content.p90LeadTime)),
                (t("monthly_report_costs_net"), money(content.costs.reduce(0) { $0 + ($1.netMinor ?? 0) })),
                (t("monthly_report_costs_gross"), money(content.costs.reduce(0) { $0 + ($1.grossMinor ?? 0) })),
            ],
            sections: [
                CaseReport.Table(
                    heading: createdHeading,
                    columns: [.init(t("case_number_short"), fraction: 0.1), .init(t("case_subject"), fraction: 0.4),
                              .init(t("case_object"), fraction: 0.22), .init(t("case_status"), fraction: 0.14),
                              .init(t("case_created"), fraction: 0.14)],
                    rows: content.created.map { [String($0.number), $0.subject, $0.objectName ?? "", t($0.status.labelKey), day($0.createdAt)] }),
                CaseReport.Table(
                    heading: closedHeading,
                    columns: [.init(t("case_number_short"), fraction: 0.1), .init(t("case_subject"), fraction: 0.44),
                              .init(t("case_object"), fraction: 0.22), .init(t("case_created"), fraction: 0.12),
                              .init(t("monthly_report_lead_days"), fraction: 0.12, alignRight: true)],
                    rows: content.closed.map { [String($0.number), $0.subject, $0.objectName ?? "", day($0.createdAt), days($0.leadTime)] }),
                CaseReport.Table(
                    heading: t("monthly_report_costs_heading"),
                    columns: [.init(t("dashboard_article_type"), fraction: 0.34), .init(t("dashboard_rows_count"), fraction: 0.14, alignRight: true),
                              .init(t("dashboard_net_amount"), fraction: 0.26, alignRight: true),
                              .init(t("dashboard_gross_amount"), fraction: 0.26, alignRight: true)],
                    rows: content.costs.isEmpty ? [] : content.costs.map { row in
                        let type = row.textKey.map { key in
                            let shown = t("dashboard_article_type_\(key)")
                            return shown == "dashboard_article_type_\(key)" ? key : shown
                        } ?? "–"
                        return [type, String(row.count), money(row.netMinor ?? 0), money(row.grossMinor ?? 0)]
                    } + [[t("monthly_report_costs_total"), String(content.costs.reduce(0) { $0 + $1.count }),
                          money(content.costs.reduce(0) { $0 + ($1.netMinor ?? 0) }),
                          money(content.costs.reduce(0) { $0 + ($1.grossMinor ?? 0) })]]),
            ],
            emptySection: t("monthly_report_none"),
            notes: notes,
            footer: "\(companyName) · \(t("report_printed").replacingOccurrences(of: "{date}", with: language.formatDateTime(printed)))",
            pageLabel: { page, pages in
                template.replacingOccurrences(of: "{page}", with: String(page)).replacingOccurrences(of: "{pages}", with: String(pages))
            },
            logo: logo)
        return report.render(fonts: try ReportFontCache.shared.fonts(in: fontsDirectory), created: printed)
    }
}
