import AsyncHTTPClient
import CaseportCore
import CaseportStore
import Foundation
import NIOCore
import NIOHTTP1

/// Sends one signed webhook request and reports the answer. The target is checked again before every
/// attempt (`WebhookTarget`: the name may resolve elsewhere now), and the connection goes to the address
/// that was checked — the client's `dnsOverride` pins the name to it, so TLS still verifies the name
/// and a second look-up cannot lead somewhere else. Redirects are not followed (a redirect could point
/// inside); the answer's body is read up to a few kilobytes.
struct WebhookSender: Sendable {
    var allowed: [IPAddressRange]
    var resolve: @Sendable (String) async -> [String] = WebhookTarget.resolve
    var group: any EventLoopGroup
    var timeout: TimeAmount = .seconds(10)
    /// How long to keep trying to connect (the client retries a refused connection until then).
    var connectTimeout: TimeAmount = .seconds(5)

    func send(url: String, secret: String, messageId: String, body: String, now: Date) async -> WebhookQueue.Answer {
        let started = Date()
        func answer(_ status: Int?, _ excerpt: String) -> WebhookQueue.Answer {
            .init(statusCode: status, excerpt: excerpt, duration: Date().timeIntervalSince(started))
        }
        let addresses: [String]
        switch await WebhookTarget.check(url, allowed: allowed, resolve: resolve) {
        case .success(let checked): addresses = checked
        case .failure(.internalAddress(let address)): return answer(nil, "refused: \(address) is inside the server's own networks")
        case .failure(.unresolvable): return answer(nil, "refused: the host name does not resolve")
        case .failure(.badURL): return answer(nil, "refused: not an http(s) URL")
        }
        guard let target = WebhookTarget.parse(url),
              let headers = WebhookSignature.headers(id: messageId, timestamp: Int(now.timeIntervalSince1970), body: body, secret: secret)
        else { return answer(nil, "refused: the subscription's secret is not a whsec_ secret") }

        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: connectTimeout, read: timeout)
        if IPAddressRange.bytes(of: target.host) == nil, let address = addresses.first {
            configuration.dnsOverride = [target.host: address]
        }
        let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
        defer { client.shutdown { _ in } }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Caseport-Webhooks")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await client.execute(request, timeout: timeout + .seconds(5))
            var excerpt = ByteBuffer()
            for try await chunk in response.body {
                var piece = chunk
                excerpt.writeBuffer(&piece)
                if excerpt.readableBytes >= WebhookQueue.excerptLength { break }
            }
            let text = String(decoding: excerpt.readableBytesView.prefix(WebhookQueue.excerptLength), as: UTF8.self)
            return answer(Int(response.status.code), text)
        } catch {
            return answer(nil, "no answer: \(String(describing: error).prefix(300))")
        }
    }
}
