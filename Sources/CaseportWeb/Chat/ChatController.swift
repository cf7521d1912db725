import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Foundation
import NIOCore
import Vapor

/// Live chat over WebSockets (B13/D7). Everything about who may open a socket is checked BEFORE the
/// upgrade, in the route handler, so a refusal is a plain HTTP answer (403): the `Origin` (the public
/// URL's, or the page's own loopback origin), the per-address limits, and the session — a portal
/// session or a visitor's chat cookie for `/chat/socket`, a staff session for `/staff/chat/socket`.
/// After the upgrade every frame is checked again on the server (`ChatConnection`): a customer
/// reaches only the conversation they started.
struct ChatController: RouteCollection {
    static let visitorCookie = "caseport_chat"

    func boot(routes: any RoutesBuilder) throws {
        let customer = routes.grouped(PortalSessionMiddleware())
        customer.on(ChatRoute.socket) { request -> Response in
            let party = try Self.customerParty(request)
            return try Self.upgrade(request, party: party)
        }
        customer.on(ChatRoute.status, use: status)
        customer.on(ChatRoute.start, use: start)
        let staff = routes.grouped(StaffSessionMiddleware())
        staff.on(ChatRoute.staffSocket) { request -> Response in
            guard request.staffPrincipal != nil else { throw Abort(.forbidden) }
            return try Self.upgrade(request, party: .staff(try request.staffMember()))
        }
    }

    /// The customer behind a request: the portal user, else the visitor's token from the chat cookie.
    static func customer(_ request: Request) throws -> ChatCustomer {
        let portal = request.portalPrincipal == nil ? nil : try request.portalMember()
        let token = request.parsedCookies[visitorCookie]?.string
        return ChatCustomer(portal: portal, visitorToken: portal == nil ? token.flatMap { $0.isEmpty ? nil : $0 } : nil)
    }

    static func customerParty(_ request: Request) throws -> ChatParty {
        let customer = try customer(request)
        // Nobody to be: no portal session and no visitor cookie.
        guard customer.portal != nil || customer.visitorToken != nil else { throw Abort(.forbidden) }
        return .customer(customer)
    }

    static func upgrade(_ request: Request, party: ChatParty) throws -> Response {
        guard ChatOrigin.isAllowed(request) else { throw Abort(.forbidden, reason: "origin") }
        let address = request.clientAddress ?? "unknown"
        let limiter = request.application.chatLimiter
        guard limiter.open(address) else { throw Abort(.tooManyRequests) }
        let limits = limiter.limits
        let context = request.operations
        let bus = request.application.chatBus
        let logger = request.logger
        let cache = request.application.chatCache
        let availability = request.caseport.chatAvailability
        let inFlight = request.application.inFlightRequests
        return request.webSocket(maxFrameSize: WebSocketMaxFrameSize(integerLiteral: limits.maxFrameSize),
                                 shouldUpgrade: { request in
                                     // The session and limits were checked above, before this answer was
                                     // built (a refusal is a plain 403/429); the Origin once more here.
                                     request.eventLoop.makeSucceededFuture(ChatOrigin.isAllowed(request) ? [:] : nil)
                                 },
                                 onUpgrade: { _, socket in
            socket.pingInterval = limits.pingInterval
            let connection = ChatConnection(socket: socket, party: party, context: context, bus: bus, limits: limits,
                                            address: address, logger: logger, cache: cache, availability: availability,
                                            inFlight: inFlight)
            // Frames are handled one at a time, in the order they came.
            // A client that sends faster than frames are handled fills the buffer and is closed.
            let (frames, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingOldest(256))
            socket.onText { socket, text in
                if case .dropped = continuation.yield(text) { socket.close(code: .policyViolation, promise: nil) }
            }
            socket.onBinary { socket, _ in socket.close(code: .unacceptableData, promise: nil) }
            socket.onClose.whenComplete { _ in
                continuation.finish()
                limiter.close(address)
            }
            Task {
                let id = await bus.subscribe(connection)
                if case .staff = party { await connection.sendQueue() }
                for await text in frames { await connection.handle(text) }
                await connection.markClosed()
                bus.unsubscribe(id)
            }
        })
    }

    // MARK: HTTP

    struct Status: Content {
        /// Whether someone of the staff is available: only then is the chat shown as open.
        var open: Bool
        var name: String?
        var email: String?
        /// The signed-in user's own cases, for "attach to a case".
        var cases: [CaseChoice]
    }

    struct CaseChoice: Content {
        var number: Int
        var subject: String
    }

    func status(_ request: Request) async throws -> Response {
        let open = try await Chats(database: request.database).anyoneAvailable()
        var status = Status(open: open, cases: [])
        if let principal = request.portalPrincipal {
            status.name = principal.user.displayName
            status.email = principal.user.email
        }
        // The case list only when the open chat asks for it (every portal page asks for the rest).
        if let principal = request.portalPrincipal, (try? request.query.get(String.self, at: "cases")) == "1" {
            let page = try await VisibleCases(database: request.database).page(for: principal.visibility, offset: 0, limit: 50)
            status.cases = page.map { CaseChoice(number: $0.number, subject: $0.subject) }
        }
        let response = try await status.encodeResponse(for: request)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    struct StartForm: PostedForm {
        var name: String
        var email: String
    }

    struct Started: Content {
        var conversation: Int
    }

    struct Refused: Content {
        var closed: Bool
        var errors: [String: String]
    }

    /// Starts a chat (the page's script posts the name and e-mail with the CSRF token); answers JSON.
    func start(_ request: Request) async throws -> Response {
        let form = try request.form(StartForm.self)
        let address = request.clientAddress ?? "unknown"
        guard request.application.chatLimiter.start(address) else { throw Abort(.tooManyRequests) }
        let customer = try Self.customer(request)
        do {
            let outcome = try await StartChat.run(.init(name: form.name, email: form.email,
                                                        language: request.language),
                                                  by: customer, in: request.operations)
            switch outcome {
            case .done(let started):
                await request.application.chatBus.publish(.queue)
                let response = try await Started(conversation: started.conversationId).encodeResponse(for: request)
                if let token = started.newVisitorToken {
                    // A session cookie: the visitor's chat lasts as long as the browser's session.
                    response.cookies[Self.visitorCookie] = request.cookie(token, maxAge: nil)
                }
                return response
            case .problems(let problems):
                let errors = request.texts(problems) { field in
                    switch field {
                    case .name: "name"
                    case .email: "email"
                    }
                }
                let response = try await Refused(closed: false, errors: errors).encodeResponse(for: request)
                response.status = .unprocessableEntity
                return response
            }
        } catch OperationError.notAllowedNow {
            let response = try await Refused(closed: true, errors: [:]).encodeResponse(for: request)
            response.status = .conflict
            return response
        }
    }
}

/// Sets up chat for one application: the bus (in process on SQLite, LISTEN/NOTIFY on PostgreSQL),
/// the per-address limiter and the routes.
func configureChat(_ app: Application) throws {
    app.chatLimiter = ChatAddressLimiter(limits: app.caseport.config.chatLimits)
    app.chatCache = ChatMessageCache()
    switch app.caseport.config.database {
    case .sqlite:
        app.chatBus = InProcessChatBus()
    case .postgres(let url):
        app.chatBus = try PostgresChatBus(url: url, database: app.db, eventLoop: app.eventLoopGroup.any(),
                                          logger: app.logger)
    }
    app.lifecycle.use(ChatBusLifecycle())
    try app.register(collection: ChatController())
    try app.grouped(PortalSessionMiddleware(), PageFrameMiddleware()).register(collection: ChatPageController())
    try app.grouped(StaffSessionMiddleware(), PageFrameMiddleware(), StaffGuard()).register(collection: StaffChatController())
}
