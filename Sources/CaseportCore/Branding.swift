import Foundation

/// The portal's look (SPEC C8): seven colours and an optional logo. Colours are kept only in the strict
/// form `#rrggbb`, so nothing typed into the settings can ever end up as anything but a colour in CSS.
public struct Branding: Codable, Sendable, Equatable {
    /// The seven colours, in the order the settings page shows them. Raw values are the CSS custom
    /// properties caseport.css reads (without the leading dashes).
    public enum Colour: String, Codable, Sendable, CaseIterable {
        case pageBackground = "page-bg"
        case menuBackground = "menu-bg"
        case selectedMenuBackground = "menu-selected-bg"
        case text = "text"
        case selectedText = "menu-selected-text"
        case heading = "heading"
        /// Issue 12: buttons and links, so a brand's buttons match its menu.
        case accent = "accent"

        /// caseport.css's own defaults.
        public var standard: String {
            switch self {
            case .pageBackground: "#f5f6f8"
            case .menuBackground: "#102a43"
            case .selectedMenuBackground: "#243b53"
            case .text: "#1f2933"
            case .selectedText: "#ffffff"
            case .heading: "#102a43"
            case .accent: "#0b5cad"
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
    /// written, so even a tampered settings row cannot break out of the declaration. A chosen menu
    /// background or accent also sets the text drawn on it (`--menu-text`, `--accent-text`): white or
    /// dark, whichever contrasts more, so a light brand colour never leaves white text unreadable.
    public func declarations(_ colours: [String: String]? = nil) -> String {
        let source = colours ?? self.colours
        return Colour.allCases.compactMap { colour in
            guard let value = source[colour.rawValue].flatMap(Self.normalisedColour) else { return nil }
            var declaration = "--\(colour.rawValue):\(value);"
            switch colour {
            case .menuBackground: declaration += "--menu-text:\(Self.readableText(on: value));"
            case .accent: declaration += "--accent-text:\(Self.readableText(on: value));"
            default: break
            }
            return declaration
        }.joined()
    }

    /// The dark text colour used on light brand colours.
    public static let darkText = "#102a43"

    /// White or `darkText`, whichever has the higher contrast with `background` (`#rrggbb`).
    public static func readableText(on background: String) -> String {
        contrast(background, "#ffffff") >= contrast(background, darkText) ? "#ffffff" : darkText
    }

    /// WCAG 2 relative luminance of `#rrggbb` (nil for anything else).
    public static func luminance(_ colour: String) -> Double? {
        guard let hex = normalisedColour(colour), let value = Int(hex.dropFirst(), radix: 16) else { return nil }
        func channel(_ shift: Int) -> Double {
            let c = Double((value >> shift) & 0xff) / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
    }

    /// WCAG 2 contrast ratio of two `#rrggbb` colours (1…21); 1 when either is not a colour.
    public static func contrast(_ a: String, _ b: String) -> Double {
        guard let la = luminance(a), let lb = luminance(b) else { return 1 }
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }

    /// Pairs of colours that are read together, for the settings page's contrast warning: the text
    /// and heading on the page background, the selected menu item, links (accent) on white cards.
    public static let readPairs: [(text: Colour, background: Colour?)] = [
        (.text, .pageBackground), (.heading, .pageBackground), (.selectedText, .selectedMenuBackground), (.accent, nil),
    ]

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
