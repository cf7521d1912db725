import CaseportCore
import Vapor

extension Request {
    /// A posted form as name → value, for pages whose fields vary (new case, user, registration, staff
    /// case). The CSRF token is left out; names are short and known, so longer ones are dropped; each
    /// value is cut one character past `longest`, so "too long" can still be told apart and shown.
    func formValues(longest: Int = InputLimits.description) -> [String: String] {
        var values = (try? content.decode([String: String].self)) ?? [:]
        values[CSRFMiddleware.fieldName] = nil
        return values.filter { $0.key.count <= 40 }.mapValues { String($0.prefix(longest + 1)) }
    }
}
