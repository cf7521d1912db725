import Foundation

/// A customer's monthly report (SPEC B12): the month's figures as label/value details, then the cases
/// created and the cases closed with their lead times, as tables that break across pages. Text only,
/// already in the reader's language; `CaseportWeb` fills it from `MonthlyReportContent`.
public struct MonthlyReport: Sendable {
    public var title: String
    public var summary: [(label: String, value: String)]
    public var sections: [CaseReport.Table]
    /// Shown under a section's heading when it has no rows.
    public var emptySection: String
    /// Under a table that lists only part of a large month ("2 000 of 2 310 shown").
    public var notes: [String: String]
    public var footer: String
    public var pageLabel: @Sendable (Int, Int) -> String
    public var logo: [UInt8]?

    public init(title: String, summary: [(label: String, value: String)], sections: [CaseReport.Table], emptySection: String,
                notes: [String: String] = [:], footer: String, pageLabel: @escaping @Sendable (Int, Int) -> String, logo: [UInt8]? = nil) {
        self.title = title
        self.summary = summary
        self.sections = sections
        self.emptySection = emptySection
        self.notes = notes
        self.footer = footer
        self.pageLabel = pageLabel
        self.logo = logo
    }

    public func render(fonts: ReportFonts, created: Date = Date()) -> [UInt8] {
        let document = PDFDocument(regular: fonts.regular, bold: fonts.bold)
        document.title = title
        let layout = FlowLayout(document: document)
        let start = layout.cursor
        var logoHeight = 0.0
        if let logo, let image = PDFImage(data: logo) { logoHeight = layout.logo(image) }
        layout.title(title, reservedRight: logoHeight > 0 ? 170 : 0)
        if layout.cursor < start + logoHeight + 8 { layout.space(start + logoHeight + 8 - layout.cursor) }
        layout.details(summary)
        for section in sections {
            layout.heading(section.heading)
            if section.rows.isEmpty {
                layout.paragraph(emptySection, gray: 0.35)
            } else {
                layout.table(columns: section.columns, rows: section.rows)
            }
            if let note = notes[section.heading] { layout.paragraph(note, gray: 0.35) }
        }
        return layout.finish(footer: footer, label: pageLabel, created: created)
    }
}
