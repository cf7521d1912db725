import Foundation

/// A PDF document being built: pages of drawing operations, two embedded fonts (regular and bold)
/// and images; `render` writes the file (catalog, page tree, pages, fonts, images, info).
public final class PDFDocument {
    /// A4 in points (210 × 297 mm).
    public static let pageWidth = 595.276
    public static let pageHeight = 841.89

    public let regular: EmbeddedFont
    public let bold: EmbeddedFont
    public private(set) var pages: [PDFPage] = []
    private var images: [(name: String, image: PDFImage)] = []
    public var title = ""
    public var compress = true

    public init(regular: TrueTypeFont, bold: TrueTypeFont) {
        self.regular = EmbeddedFont(font: regular, resourceName: "F1")
        self.bold = EmbeddedFont(font: bold, resourceName: "F2")
    }

    public func addPage() -> PDFPage {
        let page = PDFPage()
        pages.append(page)
        return page
    }

    /// Registers an image and returns its resource name for `PDFPage.image`.
    public func add(_ image: PDFImage) -> String {
        let name = "Im\(images.count + 1)"
        images.append((name, image))
        return name
    }

    public func render(created: Date) -> [UInt8] {
        var writer = PDFObjectWriter()
        writer.compress = compress
        let catalog = writer.reserve(), tree = writer.reserve(), info = writer.reserve()
        let regularObject = writer.reserve(), boldObject = writer.reserve()
        let imageObjects = images.map { _ in writer.reserve() }
        let pageObjects = pages.map { _ in (page: writer.reserve(), content: writer.reserve()) }

        writer.write(catalog, "<< /Type /Catalog /Pages \(tree) 0 R >>")
        let kids = pageObjects.map { "\($0.page) 0 R" }.joined(separator: " ")
        writer.write(tree, "<< /Type /Pages /Kids [\(kids)] /Count \(pages.count) >>")
        let xObjects = zip(images, imageObjects).map { "/\($0.name) \($1) 0 R" }.joined(separator: " ")
        let resources = "<< /Font << /F1 \(regularObject) 0 R /F2 \(boldObject) 0 R >>"
            + (images.isEmpty ? "" : " /XObject << \(xObjects) >>") + " >>"
        for (page, objects) in zip(pages, pageObjects) {
            writer.write(objects.page, """
                << /Type /Page /Parent \(tree) 0 R /MediaBox [0 0 \(PDFSyntax.number(Self.pageWidth)) \(PDFSyntax.number(Self.pageHeight))] \
                /Resources \(resources) /Contents \(objects.content) 0 R >>
                """)
            writer.writeStream(objects.content, data: Array(page.operations.joined(separator: "\n").utf8))
        }
        // Fonts last: only now is every glyph the pages use known.
        regular.write(into: &writer, fontObject: regularObject)
        bold.write(into: &writer, fontObject: boldObject)
        for (entry, number) in zip(images, imageObjects) { entry.image.write(into: &writer, number: number) }
        writer.write(info, "<< /Title \(PDFSyntax.textString(title)) /Producer (Caseport) /CreationDate \(PDFSyntax.date(created)) >>")
        return writer.finish(root: catalog, info: info)
    }
}

/// One page's content stream, as drawing operations in points from the bottom-left corner.
public final class PDFPage {
    public private(set) var operations: [String] = []

    public func text(_ text: String, x: Double, y: Double, font: EmbeddedFont, size: Double, gray: Double = 0) {
        let n = PDFSyntax.number
        operations.append("BT \(n(gray)) g /\(font.resourceName) \(n(size)) Tf 1 0 0 1 \(n(x)) \(n(y)) Tm \(font.encode(text)) Tj ET")
    }

    public func line(from start: (x: Double, y: Double), to end: (x: Double, y: Double), width: Double = 0.5, gray: Double = 0.6) {
        let n = PDFSyntax.number
        operations.append("\(n(gray)) G \(n(width)) w \(n(start.x)) \(n(start.y)) m \(n(end.x)) \(n(end.y)) l S")
    }

    public func fill(x: Double, y: Double, width: Double, height: Double, gray: Double) {
        let n = PDFSyntax.number
        operations.append("\(n(gray)) g \(n(x)) \(n(y)) \(n(width)) \(n(height)) re f")
    }

    public func image(_ name: String, x: Double, y: Double, width: Double, height: Double) {
        let n = PDFSyntax.number
        operations.append("q \(n(width)) 0 0 \(n(height)) \(n(x)) \(n(y)) cm /\(name) Do Q")
    }
}
