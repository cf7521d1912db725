import Foundation

/// Lays blocks out top to bottom on A4 pages and starts a new page when the next line does not fit:
/// titles, headings (kept with what follows), wrapped paragraphs, label/value lists and tables that
/// break across pages and repeat their header. Page numbers are drawn at the end, when the number
/// of pages is known.
public final class FlowLayout {
    public let document: PDFDocument
    public let margin = 50.0
    /// Room kept free at the bottom for the page number.
    let footerHeight = 30.0
    public private(set) var page: PDFPage
    /// Distance of the next line's top from the top of the page.
    public private(set) var cursor: Double

    public var contentWidth: Double { PDFDocument.pageWidth - 2 * margin }
    var bottom: Double { PDFDocument.pageHeight - margin - footerHeight }

    public init(document: PDFDocument) {
        self.document = document
        page = document.addPage()
        cursor = margin
    }

    // MARK: Page flow

    public func newPage() {
        page = document.addPage()
        cursor = margin
    }

    /// Starts a new page unless `height` more points fit on this one.
    public func ensure(_ height: Double) {
        if cursor + height > bottom, cursor > margin { newPage() }
    }

    public func space(_ height: Double) { cursor += height }

    func baseline(_ top: Double, size: Double) -> Double { PDFDocument.pageHeight - top - size * 0.8 }

    // MARK: Blocks

    /// A logo at the top right of the current page, at most `maxWidth` × `maxHeight`; returns its height.
    @discardableResult
    public func logo(_ image: PDFImage, maxWidth: Double = 150, maxHeight: Double = 48) -> Double {
        let scale = min(maxWidth / Double(image.width), maxHeight / Double(image.height))
        let width = Double(image.width) * scale, height = Double(image.height) * scale
        let name = document.add(image)
        page.image(name, x: PDFDocument.pageWidth - margin - width, y: PDFDocument.pageHeight - cursor - height, width: width, height: height)
        return height
    }

    public func title(_ text: String, reservedRight: Double = 0) {
        paragraph(text, font: document.bold, size: 17, width: contentWidth - reservedRight, leading: 21)
        space(4)
    }

    /// A section heading, kept on the same page as at least three lines of what follows.
    public func heading(_ text: String) {
        space(12)
        ensure(15 + 3 * 13)
        paragraph(text, font: document.bold, size: 12.5, leading: 16)
        page.line(from: (margin, PDFDocument.pageHeight - cursor - 1), to: (margin + contentWidth, PDFDocument.pageHeight - cursor - 1))
        space(6)
    }

    /// Wrapped text; each line moves to a new page when it does not fit.
    public func paragraph(_ text: String, font: EmbeddedFont? = nil, size: Double = 10, indent: Double = 0,
                          width: Double? = nil, leading: Double? = nil, gray: Double = 0) {
        let font = font ?? document.regular
        let leading = leading ?? size * 1.35
        let available = (width ?? contentWidth) - indent
        for line in Self.wrap(text, width: available, measure: { font.width(of: $0, size: size) }) {
            ensure(leading)
            page.text(line, x: margin + indent, y: baseline(cursor, size: size), font: font, size: size, gray: gray)
            cursor += leading
        }
    }

    /// Label and value pairs in two columns (the label in grey), values wrapped.
    public func details(_ rows: [(label: String, value: String)], labelWidth: Double = 150) {
        let size = 10.0, leading = 13.5
        for row in rows {
            let lines = Self.wrap(row.value, width: contentWidth - labelWidth, measure: { self.document.regular.width(of: $0, size: size) })
            ensure(leading)
            page.text(row.label, x: margin, y: baseline(cursor, size: size), font: document.regular, size: size, gray: 0.35)
            for line in lines {
                ensure(leading)
                page.text(line, x: margin + labelWidth, y: baseline(cursor, size: size), font: document.regular, size: size)
                cursor += leading
            }
            cursor += 2
        }
    }

    // MARK: Tables

    public struct Column: Sendable {
        public var title: String
        /// Share of the content width.
        public var fraction: Double
        public var alignRight: Bool
        public init(_ title: String, fraction: Double, alignRight: Bool = false) {
            self.title = title
            self.fraction = fraction
            self.alignRight = alignRight
        }
    }

    /// A table whose rows wrap within their columns; a row that does not fit continues on the next
    /// page, under the header drawn again.
    public func table(columns: [Column], rows: [[String]]) {
        let size = 9.0, leading = 12.0, padding = 3.0
        let widths = columns.map { $0.fraction * contentWidth }
        let lefts = widths.indices.map { index in margin + widths[..<index].reduce(0, +) }

        func drawHeader() {
            let lines = columns.enumerated().map { index, column in
                Self.wrap(column.title, width: widths[index] - 2 * padding, measure: { self.document.bold.width(of: $0, size: size) })
            }
            let height = Double(lines.map(\.count).max() ?? 1) * leading + 2 * padding
            page.fill(x: margin, y: PDFDocument.pageHeight - cursor - height, width: contentWidth, height: height, gray: 0.9)
            draw(lines, font: document.bold, top: cursor + padding)
            cursor += height
        }
        func draw(_ cells: [[String]], font: EmbeddedFont, top: Double) {
            for (index, lines) in cells.enumerated() {
                for (number, line) in lines.enumerated() {
                    let x = columns[index].alignRight
                        ? lefts[index] + widths[index] - padding - font.width(of: line, size: size)
                        : lefts[index] + padding
                    page.text(line, x: x, y: baseline(top + Double(number) * leading, size: size), font: font, size: size)
                }
            }
        }

        ensure(3 * leading + 4 * padding)
        drawHeader()
        for row in rows {
            var remaining = columns.indices.map { index in
                Self.wrap(index < row.count ? row[index] : "", width: widths[index] - 2 * padding,
                          measure: { self.document.regular.width(of: $0, size: size) })
            }
            while true {
                let needed = remaining.map(\.count).max() ?? 0
                let fitting = Int((bottom - cursor - 2 * padding) / leading)
                if fitting < min(needed, 2) {
                    newPage()
                    drawHeader()
                    continue
                }
                let count = min(needed, fitting)
                draw(remaining.map { Array($0.prefix(count)) }, font: document.regular, top: cursor + padding)
                cursor += Double(count) * leading + 2 * padding
                page.line(from: (margin, PDFDocument.pageHeight - cursor), to: (margin + contentWidth, PDFDocument.pageHeight - cursor), width: 0.3, gray: 0.75)
                remaining = remaining.map { Array($0.dropFirst(count)) }
                if remaining.allSatisfy(\.isEmpty) { break }
                newPage()
                drawHeader()
            }
        }
    }

    // MARK: Finishing

    /// Draws "page n of N" (worded by `label`) at the bottom of every page and a small footer text on
    /// the left, then writes the file.
    public func finish(footer: String, label: (Int, Int) -> String, created: Date) -> [UInt8] {
        let size = 8.5
        let total = document.pages.count
        for (index, page) in document.pages.enumerated() {
            let y = margin - 10
            let text = label(index + 1, total)
            let width = document.regular.width(of: text, size: size)
            page.text(text, x: PDFDocument.pageWidth - margin - width, y: y, font: document.regular, size: size, gray: 0.35)
            let left = Self.wrap(footer, width: contentWidth - width - 20, measure: { self.document.regular.width(of: $0, size: size) }).first ?? ""
            page.text(left, x: margin, y: y, font: document.regular, size: size, gray: 0.35)
        }
        return document.render(created: created)
    }

    // MARK: Wrapping

    /// Breaks text into lines no wider than `width`: at spaces where possible, inside a word only when
    /// the word alone is too wide. Line breaks in the text are kept; an empty line stays empty.
    public static func wrap(_ text: String, width: Double, measure: (String) -> Double) -> [String] {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\t", with: "    ")
        var lines = [String]()
        for paragraph in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            // Widths add up (no kerning), so a line's width is kept as a sum, not measured again.
            let space = measure(" ")
            var line = "", lineWidth = 0.0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                let wordWidth = measure(String(word))
                let candidateWidth = line.isEmpty ? wordWidth : lineWidth + space + wordWidth
                if candidateWidth <= width + 0.001 {
                    line = line.isEmpty ? String(word) : line + " " + word
                    lineWidth = candidateWidth
                    continue
                }
                if !line.isEmpty { lines.append(line) }
                line = ""
                // A word wider than the line is cut: after the last hyphen, slash, underscore or dot
                // that fits (file names), else where it must be.
                var piece = ""
                for character in word {
                    if !piece.isEmpty, measure(piece + String(character)) > width {
                        if let cut = piece.lastIndex(where: { "-/_.".contains($0) }), piece.index(after: cut) != piece.endIndex {
                            lines.append(String(piece[...cut]))
                            piece = String(piece[piece.index(after: cut)...])
                        }
                        if measure(piece + String(character)) > width {
                            lines.append(piece)
                            piece = ""
                        }
                    }
                    piece.append(character)
                }
                line = piece
                lineWidth = measure(piece)
            }
            lines.append(line)
        }
        return lines
    }
}
