import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
@testable import CaseportWeb
import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLKit
import Vapor
import XCTest

/// Live chat over REAL WebSockets on a loopback port (XCTVapor's tester cannot upgrade): the app is
/// served on 127.0.0.1 and WebSocketKit's client connects to it, with the cookies a browser would send.
final class ChatSocketTests: XCTestCase {
    static let origin = "https://portal.example.com"
    var harness: WebHarness!
    var port = 0
    var extraApps: [Application] = []
    var opened: [TestSocket] = []

    override func setUp() async throws {
        harness = try await WebHarness { $0.publicURL = Self.origin }
        port = try await harness.startServer()
    }

    override func tearDown() async throws {
        for socket in opened { await socket.close() }
        for app in extraApps {
            await app.server.shutdown()
            try await app.asyncShutdown()
        }
        await harness.app.server.shutdown()
        try await harness.shutdown()
    }

    // MARK: Helpers

    /// A signed-in browser's cookie header.
    func portalCookie(_ organisation: String, _ username: String) async throws -> String {
        let browser = harness.browser()
        try await browser.portalLogin(organisation, username)
        let token = try XCTUnwrap(browser.cookies[CookieNames.portalSession])
        return "\(CookieNames.portalSession)=\(token)"
    }

    func staffCookie(_ email: String = "handler@example.com") async throws -> String {
        let browser = harness.browser()
        try await browser.staffLogin(email)
        let token = try XCTUnwrap(browser.cookies[CookieNames.staffSession])
        return "\(CookieNames.staffSession)=\(token)"
    }

    func staffActor(_ email: String = "handler@example.com") async throws -> StaffActor {
        let user = try await XCTUnwrapAsync(await StaffUserRecord.query(on: harness.app.db).filter(\.$email == email).first())
        return StaffActor(staffId: try user.requireID(), name: user.name, isAdmin: user.role == .admin)
    }

    var context: OperationContext {
        OperationContext(database: harness.app.db, notifications: NotificationContext(
            translations: harness.app.caseport.translations, publicBaseURL: Self.origin, companyName: "Caseport"))
    }

    /// Starts a chat for the signed-in browser through the real route (the page's script does this).
    func startChat(cookie: String, name: String = "Anna Andersson", email: String = "anna@example.com") async throws -> Int {
        let browser = harness.browser()
        let parts = cookie.split(separator: "=", maxSplits: 1).map(String.init)
        browser.cookies[parts[0]] = parts[1]
        try await browser.get("/cases")
        let response = try await browser.post("/chat/start", ["name": name, "email": email])
        XCTAssertEqual(response.status, .ok, response.body.string)
        return try JSONDecoder().decode(ChatController.Started.self, from: Data(response.body.readableBytesView)).conversation
    }

    func connect(_ path: String, cookie: String?, origin: String? = ChatSocketTests.origin, on port: Int? = nil) async throws
        -> TestSocket {
        let socket = try await TestSocket.connect(port: port ?? self.port, path: path, cookie: cookie, origin: origin,
                                                  group: harness.app.eventLoopGroup)
        opened.append(socket)
        return socket
    }

    func makeAvailable(_ staff: StaffActor) async throws {
        try await SetChatAvailability.run(available: true, by: staff, in: context)
    }

    // MARK: Tests

    func testACustomerAndAMemberOfStaffTalk() async throws {
        let handler = try await staffActor()
        try await makeAvailable(handler)
        let staff = try await connect("/staff/chat/socket", cookie: try await staffCookie())
        let annaCookie = try await portalCookie("solglantan", "anna")
        let id = try await startChat(cookie: annaCookie)
        _ = try await staff.next { $0["type"] as? String == "queue" && (($0["waiting"] as? [[String: Any]]) ?? []).contains { $0["conversation"] as? Int == id } }
        let customer = try await connect("/chat/socket", cookie: annaCookie)
        try await customer.send(["type": "hello", "conversation": id, "after_seq": 0])
        try await staff.send(["type": "take", "conversation": id])
        let joined = try await customer.next { $0["type"] as? String == "message" }
        XCTAssertEqual(joined["seq"] as? Int, 1)
        XCTAssertEqual(joined["author"] as? String, "system")
        _ = try await staff.next { $0["type"] as? String == "state" && $0["assigned_to_me"] as? Bool == true }

        try await customer.send(["type": "typing"])
        _ = try await staff.next { $0["type"] as? String == "typing" && $0["conversation"] as? Int == id }
        try await customer.send(["type": "message", "body": "Hur skapar jag ett ärende?"])
        let asked = try await staff.next { $0["type"] as? String == "message" && $0["author"] as? String == "customer" }
        XCTAssertEqual(asked["body"] as? String, "Hur skapar jag ett ärende?")
        XCTAssertEqual(asked["seq"] as? Int, 2)

        try await staff.send(["type": "message", "conversation": id, "body": "Note: <b>kund</b>", "staff_only": true])
        try await staff.send(["type": "message", "conversation": id, "body": "Klicka på <Nytt ärende> & spara."])
        let answer = try await customer.next { $0["type"] as? String == "message" && $0["author"] as? String == "staff" }
        XCTAssertEqual(answer["body"] as? String, "Klicka på <Nytt ärende> & spara.", "the text as written; the page sets it as text")
        XCTAssertEqual(answer["seq"] as? Int, 4, "the staff note (3) never reaches the customer")
        let note = try await staff.next { $0["type"] as? String == "message" && $0["staff_only"] as? Bool == true }
        XCTAssertEqual(note["seq"] as? Int, 3)
        XCTAssertFalse(customer.received.contains { ($0["body"] as? String)?.contains("kund") == true })

        try await staff.send(["type": "end", "conversation": id])
        let ended = try await customer.next { $0["type"] as? String == "state" && $0["state"] as? String == "ended" }
        XCTAssertEqual(ended["inquiry"] as? Bool, false)
        let stored = try await Chats(database: harness.app.db).messages(conversationId: id, includeStaffOnly: true).map(\.seq)
        XCTAssertEqual(stored, [1, 2, 3, 4, 5])
        await customer.close()
        await staff.close()
    }

    func testAReconnectResumesWithNoGapAndNoDuplicate() async throws {
        let handler = try await staffActor()
        try await makeAvailable(handler)
        let annaCookie = try await portalCookie("solglantan", "anna")
        let id = try await startChat(cookie: annaCookie)
        try await TakeChat.run(conversationId: id, by: handler, in: context)
        let first = try await connect("/chat/socket", cookie: annaCookie)
        try await first.send(["type": "hello", "conversation": id, "after_seq": 0])
        try await first.send(["type": "message", "body": "ett"])
        _ = try await first.next { $0["type"] as? String == "message" && $0["seq"] as? Int == 2 }
        await first.close()
        // While the customer is away: three answers.
        for text in ["två", "tre", "fyra"] {
            _ = try await PostChatMessage.asStaff(conversationId: id, body: text, staffOnly: false, by: handler, in: context)
        }
        let second = try await connect("/chat/socket", cookie: annaCookie)
        try await second.send(["type": "hello", "conversation": id, "after_seq": 2])
        _ = try await second.next { $0["type"] as? String == "message" && $0["seq"] as? Int == 5 }
        // A new message after the resume arrives once, in order.
        _ = try await PostChatMessage.asStaff(conversationId: id, body: "fem", staffOnly: false, by: handler, in: context)
        await harness.app.chatBus.publish(.message(conversation: id, seq: 6))
        await harness.app.chatBus.publish(.message(conversation: id, seq: 6))
        _ = try await second.next { $0["type"] as? String == "message" && $0["seq"] as? Int == 6 }
        try await Task.sleep(for: .milliseconds(300))
        let seqs = second.received.filter { $0["type"] as? String == "message" }.compactMap { $0["seq"] as? Int }
        XCTAssertEqual(seqs, [3, 4, 5, 6], "exactly the missed ones, each once")
        await second.close()
    }

    func testAForeignOriginNoSessionAndTheWrongRealmAreRefusedBeforeTheUpgrade() async throws {
        let annaCookie = try await portalCookie("solglantan", "anna")
        for (path, cookie, origin) in [("/chat/socket", annaCookie, "https://evil.example.com"),
                                       ("/chat/socket", annaCookie, nil),
                                       ("/chat/socket", annaCookie, "http://portal.example.com"),
                                       ("/chat/socket", nil, Self.origin),
                                       ("/staff/chat/socket", annaCookie, Self.origin)] as [(String, String?, String?)] {
            do {
                let socket = try await connect(path, cookie: cookie, origin: origin)
                await socket.close()
                XCTFail("\(path) opened with origin \(origin ?? "none"), cookie \(cookie == nil ? "none" : "set")")
            } catch {}
        }
        let allowed = try await connect("/chat/socket", cookie: annaCookie)
        await allowed.close()
    }

    func testACustomerCannotReachAnotherConversation() async throws {
        try await makeAvailable(try await staffActor())
        let annas = try await startChat(cookie: try await portalCookie("solglantan", "anna"))
        let erik = try await connect("/chat/socket", cookie: try await portalCookie("norrsken", "erik"))
        try await erik.send(["type": "message", "body": "före hello"])
        let first = try await erik.next { $0["type"] as? String == "error" }
        XCTAssertEqual(first["code"] as? String, "hello_first")
        try await erik.send(["type": "hello", "conversation": annas, "after_seq": 0])
        let refused = try await erik.next { $0["type"] as? String == "error" && $0["code"] as? String == "not_found" }
        XCTAssertEqual(refused["conversation"] as? Int, annas)
        try await erik.waitUntilClosed()
        XCTAssertFalse(erik.received.contains { $0["type"] as? String == "message" })
        // A visitor's cookie with a guessed token reaches nothing either.
        let guessed = try await connect("/chat/socket", cookie: "\(ChatController.visitorCookie)=\(ChatCustomer.newVisitorToken())")
        try await guessed.send(["type": "hello", "conversation": annas, "after_seq": 0])
        _ = try await guessed.next { $0["code"] as? String == "not_found" }
        try await guessed.waitUntilClosed()
        let count = try await ChatMessageRecord.query(on: harness.app.db).filter(\.$conversationId == annas).count()
        XCTAssertEqual(count, 0)
    }

    func testAnOversizedFrameClosesTheSocket() async throws {
        let socket = try await connect("/chat/socket", cookie: try await portalCookie("solglantan", "anna"))
        try await socket.sendRaw(String(repeating: "x", count: 17 * 1024))
        try await socket.waitUntilClosed()
    }

    /// A stop (SIGTERM) closes this server's chat sockets as "going away" before the databases close
    /// under them; the page's script reconnects (behind a load balancer, to another node).
    func testAStopClosesTheChatSocketsAsGoingAway() async throws {
        let customer = try await connect("/chat/socket", cookie: try await portalCookie("solglantan", "anna"))
        let staff = try await connect("/staff/chat/socket", cookie: try await staffCookie())
        _ = try await staff.next { $0["type"] as? String == "queue" }
        let deadline = Date().addingTimeInterval(5)
        while harness.app.chatBus.subscriberCount < 2, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        await harness.app.chatBus.closeLocalSockets()
        try await customer.waitUntilClosed()
        try await staff.waitUntilClosed()
        XCTAssertEqual(customer.socket.closeCode, .goingAway)
        XCTAssertEqual(staff.socket.closeCode, .goingAway)
    }

    func testAVisitorWithoutAnAccountChatsWithTheCookieTheStartGave() async throws {
        try await makeAvailable(try await staffActor())
        let browser = harness.browser()
        try await browser.get("/login")
        let response = try await browser.post("/chat/start", ["name": "Vera Besökare", "email": "vera@example.com"])
        XCTAssertEqual(response.status, .ok)
        let id = try JSONDecoder().decode(ChatController.Started.self, from: Data(response.body.readableBytesView)).conversation
        let token = try XCTUnwrap(browser.cookies[ChatController.visitorCookie])
        let stored = try await Chats(database: harness.app.db).find(id: id)
        XCTAssertEqual(stored?.visitorTokenHash, Sessions.storedId(for: token), "only the token's hash is stored")
        let socket = try await connect("/chat/socket", cookie: "\(ChatController.visitorCookie)=\(token)")
        try await socket.send(["type": "hello", "conversation": id, "after_seq": 0])
        try await socket.send(["type": "message", "body": "Hej!"])
        _ = try await socket.next { $0["type"] as? String == "message" && $0["body"] as? String == "Hej!" }
        await socket.close()
        // Nobody available: the start is refused and says the chat is closed.
        try await SetChatAvailability.run(available: false, by: try await staffActor(), in: context)
        let closed = try await browser.post("/chat/start", ["name": "Vera", "email": "vera@example.com"])
        XCTAssertEqual(closed.status, .conflict)
        let status = try await browser.get("/chat/status")
        XCTAssertTrue(status.body.string.contains("\"open\":false"), status.body.string)
    }

    /// Issue 17: the page says whether anyone answers, so the script no longer asks on every page load;
    /// the value is kept a few seconds per server and forgotten when a handler here changes theirs.
    func testThePageCarriesWhetherAnyoneAnswers() async throws {
        harness.app.caseport.chatAvailability.lifetime = 3_600  // "kept" must not depend on the machine's speed
        let browser = harness.browser()
        try await browser.get("/login")
        XCTAssertTrue(browser.lastBody.contains(#"data-open="closed""#), "nobody is available")
        XCTAssertFalse(browser.lastBody.contains("chat-is-open"))
        try await makeAvailable(try await staffActor())
        try await browser.get("/login")
        XCTAssertTrue(browser.lastBody.contains(#"data-open="closed""#), "kept for a few seconds on this server")
        harness.app.caseport.chatAvailability.forget()  // what the console's availability form does
        try await browser.get("/login")
        XCTAssertTrue(browser.lastBody.contains(#"data-open="open""#))
        XCTAssertTrue(browser.lastBody.contains("chat-corner chat-is-open"))
        let kept = ChatAvailability(lifetime: 3)
        let now = Date()
        let open = try await kept.isOpen(on: harness.app.db, now: now)
        XCTAssertTrue(open)
        try await SetChatAvailability.run(available: false, by: try await staffActor(), in: context)
        let soon = try await kept.isOpen(on: harness.app.db, now: now.addingTimeInterval(2))
        XCTAssertTrue(soon, "within its lifetime the kept value answers")
        let later = try await kept.isOpen(on: harness.app.db, now: now.addingTimeInterval(4))
        XCTAssertFalse(later, "after it, the database")
    }

    /// The console sets availability through its socket: the pages on this server say so at once, not
    /// after the kept value's lifetime (a customer who signs in just then would see "closed"). The
    /// lifetime is made an hour here, so only the change's forgetting can turn the page.
    func testAvailabilitySetThroughTheConsoleSocketShowsOnTheNextPage() async throws {
        harness.app.caseport.chatAvailability.lifetime = 3_600
        let browser = harness.browser()
        /// Asks /login until it shows `state` (the socket answers before or after forgetting; either way
        /// within moments), false when it never does.
        func pageShows(_ state: String) async throws -> Bool {
            let deadline = Date().addingTimeInterval(10)
            repeat {
                try await browser.get("/login")
                if browser.lastBody.contains("data-open=\"\(state)\"") { return true }
                try await Task.sleep(for: .milliseconds(20))
            } while Date() < deadline
            return false
        }
        try await browser.get("/login")
        XCTAssertTrue(browser.lastBody.contains(#"data-open="closed""#), "nobody is available, and that is now kept")
        let staff = try await connect("/staff/chat/socket", cookie: try await staffCookie())
        try await staff.send(["type": "available", "value": true])
        let opened = try await pageShows("open")
        XCTAssertTrue(opened, "the change forgot the kept value")
        try await staff.send(["type": "available", "value": false])
        let closed = try await pageShows("closed")
        XCTAssertTrue(closed)
        await staff.close()
    }

    func testMessagesBeyondTheRateAreRefused() async throws {
        let handler = try await staffActor()
        try await makeAvailable(handler)
        let annaCookie = try await portalCookie("solglantan", "anna")
        let id = try await startChat(cookie: annaCookie)
        let socket = try await connect("/chat/socket", cookie: annaCookie)
        try await socket.send(["type": "hello", "conversation": id, "after_seq": 0])
        for index in 0..<14 { try await socket.send(["type": "message", "body": "m\(index)"]) }
        _ = try await socket.next { $0["code"] as? String == "rate_limited" }
        let stored = try await ChatMessageRecord.query(on: harness.app.db).filter(\.$conversationId == id).count()
        XCTAssertLessThanOrEqual(stored, 11)
        XCTAssertGreaterThanOrEqual(stored, 10)
        await socket.close()
    }

    // MARK: Two servers on one PostgreSQL

    /// A second app on the same database and configuration, served on its own port.
    func secondServer() async throws -> (Application, Int) {
        let second = try await Application.make(.testing)
        second.logger.logLevel = .warning
        try await configure(second, config: harness.app.caseport.config)
        extraApps.append(second)
        for candidate in 18200...18299 {
            do {
                try await second.server.start(address: .hostname("127.0.0.1", port: candidate))
                return (second, candidate)
            } catch { continue }
        }
        throw Abort(.internalServerError, reason: "no free port")
    }

    func testOnPostgresAMessageOnServerAReachesAConsoleOnServerBAndAKilledListenerLosesNothing() async throws {
        guard TestDatabase.isPostgres else { throw XCTSkip("two servers share PostgreSQL only") }
        let handler = try await staffActor()
        try await makeAvailable(handler)
        let (serverB, portB) = try await secondServer()
        let annaCookie = try await portalCookie("solglantan", "anna")
        let id = try await startChat(cookie: annaCookie)
        try await TakeChat.run(conversationId: id, by: handler, in: context)
        let staffOnB = try await connect("/staff/chat/socket", cookie: try await staffCookie(), on: portB)
        try await staffOnB.send(["type": "hello", "conversation": id, "after_seq": 0])
        _ = try await staffOnB.next { $0["seq"] as? Int == 1 }
        let customerOnA = try await connect("/chat/socket", cookie: annaCookie)
        try await customerOnA.send(["type": "hello", "conversation": id, "after_seq": 0])
        try await customerOnA.send(["type": "message", "body": "från A"])
        let relayed = try await staffOnB.next { $0["body"] as? String == "från A" }
        XCTAssertEqual(relayed["seq"] as? Int, 2)

        // Kill every listening connection (A's and B's); send while they are gone.
        let sql = try XCTUnwrap(harness.app.db as? any SQLDatabase)
        let killed = try await sql.raw("""
            SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
             WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()
            """).all()
        XCTAssertGreaterThanOrEqual(killed.count, 1, "B's listener was found")
        for text in ["under avbrottet 1", "under avbrottet 2"] {
            _ = try await PostChatMessage.asCustomer(conversationId: id, body: text,
                                                     by: ChatCustomer(portal: try await annaActor(), visitorToken: nil), in: context)
        }
        _ = try await staffOnB.next(timeout: 15) { $0["body"] as? String == "under avbrottet 2" }
        try await customerOnA.send(["type": "message", "body": "efter"])
        _ = try await staffOnB.next(timeout: 15) { $0["body"] as? String == "efter" }
        let seqs = staffOnB.received.filter { $0["type"] as? String == "message" }.compactMap { $0["seq"] as? Int }
        XCTAssertEqual(seqs, [1, 2, 3, 4, 5], "nothing lost, nothing twice")
        _ = serverB
        await customerOnA.close()
        await staffOnB.close()
    }

    func annaActor() async throws -> PortalActor {
        let user = try await XCTUnwrapAsync(await PortalUserRecord.query(on: harness.app.db).filter(\.$username == "anna").first())
        return try PortalActor(user: user, viewer: try await PortalViewers.viewer(for: user, on: harness.app.db))
    }
}

func XCTUnwrapAsync<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}

/// A WebSocketKit client that keeps every text frame it receives.
final class TestSocket: @unchecked Sendable {
    private let frames = NIOLockedValueBox<[String]>([])
    private(set) var socket: WebSocket!

    static func connect(port: Int, path: String, cookie: String?, origin: String?, group: any EventLoopGroup) async throws
        -> TestSocket {
        let client = TestSocket()
        var headers = HTTPHeaders()
        if let cookie { headers.add(name: .cookie, value: cookie) }
        if let origin { headers.add(name: .origin, value: origin) }
        let promise = group.next().makePromise(of: WebSocket.self)
        let connected: EventLoopFuture<Void> = WebSocket.connect(
            to: "ws://127.0.0.1:\(port)\(path)", headers: headers, configuration: .init(maxFrameSize: 1 << 20), on: group
        ) { socket in
            socket.onText { _, text in client.frames.withLockedValue { $0.append(text) } }
            promise.succeed(socket)
        }
        do {
            try await connected.get()
        } catch {
            promise.fail(error)
            throw error
        }
        client.socket = try await promise.futureResult.get()
        return client
    }

    var received: [[String: Any]] {
        frames.withLockedValue { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func send(_ object: [String: Any]) async throws {
        let data = try JSONSerialization.data(withJSONObject: object)
        try await socket.send(String(decoding: data, as: UTF8.self))
    }

    func sendRaw(_ text: String) async throws { try await socket.send(text) }

    /// The first frame received (so far or within `timeout` seconds) that matches.
    func next(timeout: Double = 5, file: StaticString = #filePath, line: UInt = #line,
              _ matches: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let found = received.first(where: matches) { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTFail("no such frame within \(timeout) s; received: \(frames.withLockedValue { $0 })", file: file, line: line)
        throw CancellationError()
    }

    func waitUntilClosed(timeout: Double = 5, file: StaticString = #filePath, line: UInt = #line) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if socket.isClosed { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTFail("the socket stayed open", file: file, line: line)
    }

    func close() async {
        try? await socket.close()
    }
}
