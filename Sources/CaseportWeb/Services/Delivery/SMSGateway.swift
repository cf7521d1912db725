import Foundation
import Vapor

/// Sends a text message through an HTTP gateway (E1): `POST <SMS_GATEWAY_URL>` with
/// `Authorization: Bearer <SMS_GATEWAY_TOKEN>` and the JSON body `{"to": "+4670…", "text": "…"}`.
/// Any 2xx answer means accepted; 4xx is a permanent refusal, anything else is retried.
struct SMSGateway: Sendable {
    let url: String
    let token: String?
    let client: any Client

    struct Payload: Content { var to: String; var text: String }

    func send(to phone: String, text: String) async throws {
        let response: ClientResponse
        do {
            response = try await client.post(URI(string: url)) { request in
                if let token { request.headers.bearerAuthorization = BearerAuthorization(token: token) }
                try request.content.encode(Payload(to: phone, text: text), as: .json)
            }
        } catch {
            throw SMTPError(permanent: false, description: "SMS gateway unreachable: \(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            let detail = response.body.map { String(buffer: $0).prefix(200) } ?? ""
            throw SMTPError(permanent: (400..<500).contains(response.status.code) && response.status.code != 429,
                            description: "SMS gateway answered \(response.status.code) \(detail)")
        }
    }
}
