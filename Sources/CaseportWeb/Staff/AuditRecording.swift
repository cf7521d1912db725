import CaseportCore
import CaseportStore
import Fluent
import Vapor

extension Request {
    /// The caller's address for the audit log: the first X-Forwarded-For hop behind a proxy, else the peer.
    var clientAddress: String? {
        if let forwarded = headers.first(name: "X-Forwarded-For")?.split(separator: ",").first {
            return String(forwarded.trimmingCharacters(in: .whitespaces).prefix(64))
        }
        return remoteAddress?.ipAddress
    }

    /// The signed-in staff member as an audit actor.
    var staffActor: AuditActor {
        guard let user = staffPrincipal?.user else { return .system }
        return .staff(id: user.id, name: user.name)
    }

    /// Writes one audit line by the signed-in staff member; pass the transaction when inside one.
    func audit(_ action: AuditAction, subject: String, details: String? = nil, on database: (any Database)? = nil) async throws {
        try await AuditLog(database: database ?? db).record(action, by: staffActor, subject: subject,
                                                              details: details, ip: clientAddress)
    }
}

/// "before → after" lines for the fields that changed, so an audit line says what an edit did.
struct ChangeList {
    var lines: [String] = []
    mutating func compare(_ field: String, _ before: String?, _ after: String?) {
        let old = before ?? "", new = after ?? ""
        if old != new { lines.append("\(field): \(old) → \(new)") }
    }
    var text: String? { lines.isEmpty ? nil : lines.joined(separator: "; ") }
}
