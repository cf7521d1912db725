import CaseportCore
import CaseportStore
import Fluent
import Vapor

extension Request {
    /// The caller's address for the audit log: behind our own proxies (CASEPORT_TRUSTED_PROXIES) the
    /// nearest X-Forwarded-For hop that is not one of them; otherwise the peer, whatever the header says.
    var clientAddress: String? {
        IPAddressRange.client(peer: remoteAddress?.ipAddress, forwardedFor: headers[canonicalForm: "X-Forwarded-For"].map(String.init),
                              trusted: caseport.config.trustedProxies)
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
