/// The portal's look (SPEC C8): six colours and an optional logo. Colours are kept only in the strict
/// form `#rrggbb`, so nothing typed into the settings can ever end up as anything but a colour in CSS.
public struct Branding: Codable, Sendable, Equatable {
    /// The six colours, in the order the settings page shows them. Raw values are the CSS custom
    /// properties caseport.css reads (without the leading dashes).
    public enum Colour: String, Codable, Sendable, CaseIterable {
        case pageBackground = "page-bg"
        case menuBackground = "menu-bg"
        case selectedMenuBackground = "menu-selected-bg"
        case text = "text"
        case selectedText = "menu-selected-text"
        case heading = "heading"

        /// caseport.css's own defaults.
        public var standard: String {
            switch self {
            case .pageBackground: "#f5f6f8"
            case .menuBackground: "#102a43"
            case .selectedMenuBackground: "#243b53"
            case .text: "#1f2933"
            case .selectedText: "#ffffff"
            case .heading: "#102a43"
            }
        }
    }

    /// Colour → `#rrggbb` (lower case). A colour not set uses the stylesheet's default.
    public var colours: [String: String] = [:]
    /// The uploaded logo's storage key and proven type; nil shows the company's name instead.
    public var logoKey: String?
    public var logoType: String?
    /// Raised on every change; part of the stylesheet's and logo's URL so browsers may cache them for good.
    public var revision: Int = 0

    public init() {}

    public func colour(_ colour: Colour) -> String { colours[colour.rawValue].flatMap(Self.normalisedColour) ?? colour.standard }

    /// `#rrggbb` (any case, surrounding spaces ignored) → lower-cased; anything else → nil.
    public static func normalisedColour(_ input: String) -> String? {
        let text = input.trimmingCharacters(in: .whitespaces)
        guard text.utf8.count == 7, text.first == "#",
              text.dropFirst().allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        return text.lowercased()
    }

    /// The custom properties as CSS declarations. Only colours that pass `normalisedColour` are
    /// written, so even a tampered settings row cannot break out of the declaration.
    public func declarations(_ colours: [String: String]? = nil) -> String {
        let source = colours ?? self.colours
        return Colour.allCases.compactMap { colour in
            guard let value = source[colour.rawValue].flatMap(Self.normalisedColour) else { return nil }
            return "--\(colour.rawValue):\(value);"
        }.joined()
    }

    /// The kinds of image a logo may be, proven by its first bytes (see ContentSniffing).
    public static let logoTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp"]
    public static let logoMaximumBytes = 1_000_000

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        colours = (try? container.decode([String: String].self, forKey: .colours)) ?? [:]
        logoKey = try? container.decode(String.self, forKey: .logoKey)
        logoType = try? container.decode(String.self, forKey: .logoType)
        revision = (try? container.decode(Int.self, forKey: .revision)) ?? 0
    }
}
