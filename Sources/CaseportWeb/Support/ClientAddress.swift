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
}
