/// The deployment's password rule (SPEC A5). The default is the BS rule: at least six characters,
/// a digit and a capital letter. A deployment may also forbid characters such as å ä ö (LF).
public struct PasswordPolicy: Sendable, Equatable, Codable {
    public var minimumLength: Int
    public var requiresDigit: Bool
    public var requiresUppercase: Bool
    public var forbiddenCharacters: String

    public init(minimumLength: Int = 6, requiresDigit: Bool = true, requiresUppercase: Bool = true,
                forbiddenCharacters: String = "") {
        self.minimumLength = minimumLength
        self.requiresDigit = requiresDigit
        self.requiresUppercase = requiresUppercase
        self.forbiddenCharacters = forbiddenCharacters
    }

    public static let standard = PasswordPolicy()

    /// bcrypt only reads the first 72 bytes; longer passwords are refused rather than silently cut.
    public static let maximumBytes = 72

    public enum Problem: String, Sendable, Equatable {
        case tooShort = "password_too_short"
        case tooLong = "password_too_long"
        case needsDigit = "password_needs_digit"
        case needsUppercase = "password_needs_uppercase"
        case forbiddenCharacter = "password_forbidden_character"
    }

    /// Every way the password breaks the rule; empty when it is acceptable.
    public func problems(with password: String) -> [Problem] {
        var found: [Problem] = []
        if password.count < minimumLength { found.append(.tooShort) }
        if password.utf8.count > Self.maximumBytes { found.append(.tooLong) }
        if requiresDigit && !password.contains(where: \.isNumber) { found.append(.needsDigit) }
        if requiresUppercase && !password.contains(where: \.isUppercase) { found.append(.needsUppercase) }
        let forbidden = Set(forbiddenCharacters.lowercased())
        if !forbidden.isEmpty && password.lowercased().contains(where: forbidden.contains) {
            found.append(.forbiddenCharacter)
        }
        return found
    }
}
