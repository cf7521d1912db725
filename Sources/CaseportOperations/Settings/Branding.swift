import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// C8: an administrator saves the six branding colours. Each is `#rrggbb` or empty (the default);
/// a colour equal to its default is not stored. The branding's `revision` goes up with every change,
/// so `/branding.css?v=…` links change and browsers fetch the new sheet.
public enum SaveBrandingColours {
    public struct Input: Sendable {
        /// What was typed per colour; a colour not in the map is empty.
        public var typed: [Branding.Colour: String]
        public init(typed: [Branding.Colour: String]) { self.typed = typed }
    }

    /// Problems are per colour; `name` is the form field's name.
    public enum Field: Hashable, Sendable {
        case colour(Branding.Colour)
        public var name: String {
            switch self {
            case .colour(let colour): return SaveBrandingColours.fieldName(colour)
            }
        }
    }

    public static func fieldName(_ colour: Branding.Colour) -> String {
        "colour_\(colour.rawValue.replacingOccurrences(of: "-", with: "_"))"
    }

    /// The valid colours keyed by `Branding.Colour` raw value, or what is wrong. Pure: the preview uses it
    /// without saving.
    public static func check(_ input: Input) -> Outcome<[String: String], Field> {
        var colours: [String: String] = [:]
        var problems = Problems<Field>()
        for colour in Branding.Colour.allCases {
            let typed = (input.typed[colour] ?? "").trimmingCharacters(in: .whitespaces)
            if typed.isEmpty { continue }
            if let valid = Branding.normalisedColour(typed) { colours[colour.rawValue] = valid } else { problems.add(.colour(colour), "branding_error_colour") }
        }
        return problems.isEmpty ? .done(colours) : .problems(problems)
    }

    /// Returns whether anything changed (nothing is written when not).
    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Bool, Field> {
        try actor.requireAdmin()
        let colours: [String: String]
        switch check(input) {
        case .problems(let problems): return .problems(problems)
        case .done(let valid): colours = valid
        }
        var settings = try await SettingsStore(database: context.database).load()
        let before = settings.branding
        let standardised = colours.filter { key, value in Branding.Colour(rawValue: key)?.standard != value }
        guard standardised != before.colours else { return .done(false) }
        settings.branding.colours = standardised
        settings.branding.revision += 1
        let changes = Branding.Colour.allCases.map {
            SettingsChange(field: "branding \($0.rawValue)", before: before.colour($0), after: settings.branding.colour($0))
        }
        try await context.save(settings, changes: changes, subject: "branding", by: actor)
        return .done(true)
    }
}

/// C8: an administrator uploads the portal's logo. Only the bytes decide the type (the claimed type and
/// name are ignored); the bytes are stored by a new key and the old logo's bytes removed after the commit.
public enum UploadLogo {
    public struct Input: Sendable {
        /// The uploaded file's bytes; nil or empty when no file was sent.
        public var bytes: [UInt8]?
        public init(bytes: [UInt8]?) { self.bytes = bytes }
    }

    public enum Field: String, Hashable, Sendable { case logo }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext,
                           storage: any FileStorage) async throws -> Outcome<Void, Field> {
        try actor.requireAdmin()
        func refuse(_ key: String) -> Outcome<Void, Field> {
            var problems = Problems<Field>()
            problems.add(.logo, key)
            return .problems(problems)
        }
        guard let bytes = input.bytes, !bytes.isEmpty else { return refuse("branding_error_logo_missing") }
        guard bytes.count <= Branding.logoMaximumBytes else { return refuse("branding_error_logo_size") }
        guard let type = ContentSniffing.detect(Array(bytes.prefix(16))), Branding.logoTypes.contains(type) else {
            return refuse("branding_error_logo_type")
        }
        var settings = try await SettingsStore(database: context.database).load()
        let key = storage.newKey()
        try await storage.put(key: key, bytes: bytes)
        let oldKey = settings.branding.logoKey
        settings.branding.logoKey = key
        settings.branding.logoType = type
        settings.branding.revision += 1
        try await context.save(settings, changes: [.init(field: "branding logo", before: oldKey == nil ? "none" : "uploaded",
                                                         after: "\(type), \(bytes.count) bytes")],
                               subject: "branding", by: actor)
        if let oldKey { try? await storage.delete(key: oldKey) }
        return .done(())
    }
}

/// C8: an administrator removes the logo; the portal shows the company name instead.
public enum RemoveLogo {
    public struct Input: Sendable { public init() {} }
    /// Nothing to type, so nothing can be wrong with it.
    public enum Field: Hashable, Sendable {}

    /// Returns whether there was a logo to remove.
    public static func run(_ input: Input = Input(), by actor: StaffActor, in context: OperationContext,
                           storage: any FileStorage) async throws -> Outcome<Bool, Field> {
        try actor.requireAdmin()
        var settings = try await SettingsStore(database: context.database).load()
        guard let oldKey = settings.branding.logoKey else { return .done(false) }
        settings.branding.logoKey = nil
        settings.branding.logoType = nil
        settings.branding.revision += 1
        try await context.save(settings, changes: [.init(field: "branding logo", before: "uploaded", after: "none")],
                               subject: "branding", by: actor)
        try? await storage.delete(key: oldKey)
        return .done(true)
    }
}
