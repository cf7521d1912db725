import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Admin page for notification delivery (E1): what is waiting, what failed and why, and a retry button;
/// below it, e-mail the mail gate could not place on a case (B7).
struct StaffOutboxController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.outbox, use: list)
        routes.on(StaffRoute.outboxRetry, use: retry)
        routes.on(StaffRoute.outboxUnplacedMessage, use: unplacedMessage)
    }

    struct Row: Encodable {
        var id: Int
        var status: String
        var failed: Bool
        var channel: String
        var kind: String
        var recipient: String
        var subject: String
        var attempts: Int
        var created: String
        var nextAttempt: String?
        var lastError: String?
        var canRetry: Bool
    }

    struct Unplaced: Encodable {
        var id: Int
        var received: String
        var sender: String
        var subject: String
        var reason: String
    }

    struct Counts: Encodable { var pending: Int; var sending: Int; var failed: Int; var sent: Int }

    struct Page: Encodable {
        var layout: Layout
        var counts: Counts
        var rows: [Row]
        var unplaced: [Unplaced]
        var notice: String?
        var transport: String
    }

    func list(request: Request) async throws -> View {
        let queue = OutboxQueue(database: request.database)
        let language = request.language
        let rows = try await queue.undelivered().map { record in
            Row(id: record.id!, status: request.t("outbox_status_\(record.status)"), failed: record.status == "failed",
                channel: record.channel == "sms" ? "SMS" : request.t("outbox_channel_email"), kind: OutboxKind(rawValue: record.kind).map { request.t("outbox_kind_\($0.rawValue)") } ?? record.kind,
                recipient: record.recipient, subject: record.subject.isEmpty ? String(record.body.prefix(80)) : record.subject,
                attempts: record.attempts, created: language.formatDateTime(record.createdAt),
                nextAttempt: record.status == "pending" && record.nextAttemptAt > 0
                    ? language.formatDateTime(Date(timeIntervalSince1970: record.nextAttemptAt)) : nil,
                lastError: record.lastError, canRetry: record.status == "failed" || record.status == "pending")
        }
        // Only the listed columns: the message itself (a file since M018, a text column before) is
        // read when an admin downloads it, never for the list.
        let unplaced = try await UnplacedMailRecord.query(on: request.database).filter(\.$handledAt == nil)
            .field(\.$id).field(\.$receivedAt).field(\.$sender).field(\.$subject).field(\.$reason)
            .sort(\.$id, .descending).limit(100).all().map {
                Unplaced(id: $0.id!, received: language.formatDateTime(Date(timeIntervalSince1970: $0.receivedAt)),
                         sender: $0.sender, subject: $0.subject, reason: request.t("mailgate_reason_\($0.reason)"))
            }
        let delivery = request.caseport.config.delivery
        let transport = [delivery.smtp.map { "SMTP \($0.host):\($0.port) (\($0.security.rawValue))" } ?? request.t("outbox_no_smtp"),
                         delivery.smsGatewayURL == nil ? request.t("outbox_no_sms") : "SMS: \(URI(string: delivery.smsGatewayURL!).host ?? "")"]
            .joined(separator: " · ")
        let counts = try await queue.counts()
        let notice = request.notice([.retried: "outbox_retried"])
        let page = Page(layout: Layout(request, title: request.t("outbox_title"), area: "staff"),
                        counts: Counts(pending: counts["pending"] ?? 0, sending: counts["sending"] ?? 0,
                                       failed: counts["failed"] ?? 0, sent: counts["sent"] ?? 0), rows: rows, unplaced: unplaced, notice: notice, transport: transport)
        return try await request.view.render("staff/outbox", page)
    }

    /// The unplaced message as it arrived, as a download (never rendered: it is whatever a stranger sent).
    func unplacedMessage(request: Request) async throws -> Response {
        guard let id = request.parameters.get("id", as: Int.self),
              let mail = try await UnplacedMailRecord.find(id, on: request.database) else { throw Abort(.notFound) }
        let response: Response
        if let key = mail.rawKey {
            response = try await FileResponses.stream(key, request: request)
        } else {
            response = Response(status: .ok, body: .init(string: mail.raw))
        }
        response.headers.replaceOrAdd(name: .contentType, value: "application/octet-stream")
        response.headers.replaceOrAdd(name: .contentDisposition, value: FileResponses.disposition("unplaced-\(id).eml", inline: false))
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; sandbox")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    func retry(request: Request) async throws -> Response {
        guard let id = request.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        try await RetryDelivery.run(outboxId: id, by: try request.staffMember(), in: request.operations)
        request.logger.info("outbox: #\(id) put back for delivery by \(request.staffPrincipal?.user.email ?? "?")")
        return request.redirect(to: StaffRoute.outbox, notice: .retried)
    }
}
