import Vapor

/// A form refused by the CSRF check (a truly missing or wrong token). It keeps what the user typed
/// so that the error page can show it back: an expired form must not cost a long message.
/// Passwords and the token itself are never echoed.
struct FormExpired: AbortError {
    var status: HTTPResponseStatus { .forbidden }
    var reason: String { "csrf" }
    /// Field name and value, in a stable order.
    var typed: [(name: String, value: String)]

    static func typedValues(_ request: Request) -> [(name: String, value: String)] {
        guard request.headers.contentType == .urlEncodedForm,
              let values = try? request.content.decode([String: String].self) else { return [] }
        return values
            .filter { name, value in
                name != CSRFMiddleware.fieldName && !name.lowercased().contains("password")
                    && !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && name.count <= 40
            }
            .sorted { $0.key < $1.key }
            .map { (name: $0.key, value: $0.value) }
    }
}
