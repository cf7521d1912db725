import Foundation

/// The case report (SPEC E2, the PDF icon on the case page, B5): the case's details, its description,
/// every customer-visible message, the files and — once cases have them (issue 14 point 1) — the
/// article rows. It holds only text, already in the reader's language; the web layer fills it through
/// the access rule and `render` lays it out.
public struct CaseReport: Sendable {
    public struct Message: Sendable {
        public var author: String
        public var date: String
        public var body: String
        public init(author: String, date: String, body: String) {
            self.author = author
            self.date = date
            self.body = body
        }
    }

    /// A titled table (the files; later the article rows).
    public struct Table: Sendable {
        public var heading: String
        public var columns: [FlowLayout.Column]
        public var rows: [[String]]
        public init(heading: String, columns: [FlowLayout.Column], rows: [[String]]) {
            self.heading = heading
            self.columns = columns
            self.rows = rows
        }
    }

    public var title: String
    public var details: [(label: String, value: String)]
    public var descriptionHeading: String
    public var description: String
    public var messagesHeading: String
    public var noMessages: String
    public var messages: [Message]
    public var files: Table
    public var noFiles: String
    /// The article rows section. Seam for issue 14 point 1: set it when the case has rows; nil (or a
    /// table without rows) draws no section at all.
    public var articleRows: Table?
    /// Bottom left of every page (e.g. "Company · printed 2026-12-04 13:00").
    public var footer: String
    /// "Page 1 of 3" in the reader's language.
    public var pageLabel: @Sendable (Int, Int) -> String
    /// The deployment's logo (PNG or JPEG); another format or a damaged file is left out.
    public var logo: [UInt8]?

    public init(title: String, details: [(label: String, value: String)], descriptionHeading: String, description: String,
                messagesHeading: String, noMessages: String, messages: [Message], files: Table, noFiles: String,
                articleRows: Table? = nil, footer: String, pageLabel: @escaping @Sendable (Int, Int) -> String, logo: [UInt8]? = nil) {
        self.title = title
        self.details = details
        self.descriptionHeading = descriptionHeading
        self.description = description
        self.messagesHeading = messagesHeading
        self.noMessages = noMessages
        self.messages = messages
        self.files = files
        self.noFiles = noFiles
        self.articleRows = articleRows
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
        // The details begin below the logo when the title is shorter than it.
        if layout.cursor < start + logoHeight + 8 { layout.space(start + logoHeight + 8 - layout.cursor) }
        layout.details(details.filter { !$0.value.isEmpty })

        if !description.isEmpty {
            layout.heading(descriptionHeading)
            layout.paragraph(description)
        }

        layout.heading(messagesHeading)
        if messages.isEmpty { layout.paragraph(noMessages, gray: 0.35) }
        for (index, message) in messages.enumerated() {
            if index > 0 { layout.space(8) }
            layout.ensure(13 * 3)
            layout.paragraph("\(message.author) · \(message.date)", font: document.bold, size: 9.5)
            layout.paragraph(message.body, indent: 10)
        }

        layout.heading(files.heading)
        if files.rows.isEmpty {
            layout.paragraph(noFiles, gray: 0.35)
        } else {
            layout.table(columns: files.columns, rows: files.rows)
        }

        if let articleRows, !articleRows.rows.isEmpty {
            layout.heading(articleRows.heading)
            layout.table(columns: articleRows.columns, rows: articleRows.rows)
        }
        return layout.finish(footer: footer, label: pageLabel, created: created)
    }
}

/// The report fonts, read once: DejaVu Sans and DejaVu Sans Bold from `Resources/Fonts` (shipped with
/// the application, so nothing depends on the server's system fonts).
public struct ReportFonts: Sendable {
    public let regular: TrueTypeFont
    public let bold: TrueTypeFont

    public init(regular: TrueTypeFont, bold: TrueTypeFont) {
        self.regular = regular
        self.bold = bold
    }

    public init(directory: URL) throws {
        regular = try TrueTypeFont(data: Array(try Data(contentsOf: directory.appendingPathComponent("DejaVuSans.ttf"))))
        bold = try TrueTypeFont(data: Array(try Data(contentsOf: directory.appendingPathComponent("DejaVuSans-Bold.ttf"))))
    }
}
