import CaseportCore
import CaseportOperations
import CaseportStore
import Vapor

/// How a web request hands work to `CaseportOperations`: the context (database, clock, notification
/// context) and the signed-in person as an actor. Handlers decode a form, call an operation and render
/// or redirect; they do not open transactions or write outbox rows themselves.
extension Request {
    var operations: OperationContext {
        OperationContext(database: database, notifications: notificationContext, clientAddress: clientAddress,
                         requestSettings: keptFrameSettings)
    }

    var notificationContext: NotificationContext {
        NotificationContext(translations: caseport.translations, publicBaseURL: publicBaseURL,
                            companyName: caseport.config.delivery.companyName)
    }

    func portalMember() throws -> PortalActor {
        let principal = try requirePortal()
        return try PortalActor(user: principal.user, viewer: principal.viewer)
    }

    func staffMember() throws -> StaffActor {
        let user = try requireStaff().user
        return StaffActor(staffId: try user.requireID(), name: user.name, isAdmin: user.role == .admin)
    }

    /// The problems of an operation as the page's `errors`: form field name → text in the reader's language.
    func texts<Field>(_ problems: Problems<Field>, name: (Field) -> String) -> [String: String] {
        var errors: [String: String] = [:]
        for field in problems.messages.keys { errors[name(field)] = problems.all(field).map { t($0) }.joined(separator: " ") }
        return errors
    }

    func texts<Field: RawRepresentable>(_ problems: Problems<Field>) -> [String: String] where Field.RawValue == String {
        texts(problems, name: \.rawValue)
    }
}

extension OperationError {
    /// The answer the web gives when an operation could not run at all.
    var status: HTTPResponseStatus {
        switch self {
        case .notFound: return .notFound
        case .forbidden: return .forbidden
        case .stale, .alreadyDone: return .conflict
        case .notAllowedNow: return .unprocessableEntity
        }
    }
}
