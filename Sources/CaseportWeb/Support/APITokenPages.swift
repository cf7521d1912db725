import CaseportCore
import CaseportOperations
import CaseportStore
import Vapor

/// The form that makes an API token, on the staff admin's page and the customer administrator's page.
struct APITokenForm: PostedForm, Encodable {
    var name: String
    var owner: String
    var role: String
    var scope: String
    var expires: String

    enum CodingKeys: String, CodingKey { case name, owner, role, scope, expires }

    static let empty = APITokenForm(name: "", owner: "", role: "", scope: "read", expires: "90")

    var input: CreateAPIToken.Input {
        let days = expires.trimmingCharacters(in: .whitespaces)
        // A day count that does not parse is sent on as 0, so the operation says what is wrong with it.
        return CreateAPIToken.Input(name: name, scope: APITokenScope(rawValue: scope),
                                    expiresInDays: days.isEmpty ? nil : (Int(days) ?? 0))
    }
}

/// One token as the lists show it (never the token itself, which nobody can read again).
struct APITokenRow: Encodable {
    var id: Int
    var name: String
    var owner: String
    var role: String?
    var scope: String
    var prefix: String
    var created: String
    var expires: String
    var lastUsed: String
    var state: String
    var isActive: Bool

    init(_ record: APITokenRecord, owner: String, request: Request) {
        let now = Date()
        let language = request.language
        func when(_ seconds: Double?) -> String {
            seconds.map { language.formatDateTime(Date(timeIntervalSince1970: $0)) } ?? request.t("api_tokens_never")
        }
        id = record.id ?? 0
        name = record.name
        self.owner = owner
        role = record.role.map { request.t("staff_role_\($0.rawValue)") }
        scope = request.t("api_tokens_scope_\(record.scope.rawValue)")
        prefix = record.prefix + "…"
        created = language.formatDateTime(Date(timeIntervalSince1970: record.createdAt)) + " · " + record.createdByName
        expires = when(record.expiresAt)
        lastUsed = when(record.lastUsedAt)
        isActive = record.isUsable(at: now)
        state = request.t(record.revokedAt != nil ? "api_tokens_revoked" : (isActive ? "api_tokens_active" : "api_tokens_expired"))
    }
}

/// The page's context, the same shape for both realms.
struct APITokensPage: Encodable {
    var layout: Layout
    var rows: [APITokenRow]
    var owners: [SelectOption]
    var roles: [SelectOption]
    var scopes: [SelectOption]
    var values: APITokenForm
    var errors: [String: String]
    var hasErrors: Bool
    /// The token just made: shown this once.
    var newToken: String?
    var notice: String?

    static func scopes(_ chosen: String, _ request: Request) -> [SelectOption] {
        APITokenScope.allCases.map { SelectOption(value: $0.rawValue, name: request.t("api_tokens_scope_\($0.rawValue)"), selected: $0.rawValue == chosen) }
    }
}
