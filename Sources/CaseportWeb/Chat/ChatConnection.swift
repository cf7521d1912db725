import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Foundation
import Vapor

/// The chat protocol (small JSON objects, one per text frame).
///
/// Client → server: `{type:"hello", conversation, after_seq}` (follow a conversation from after that
/// number: a resume gets exactly the missed messages), `{type:"message", body}` (staff add
/// `conversation` and may add `staff_only:true`), `{type:"typing"}`, `{type:"end"}`,
/// `{type:"transcript"}`, `{type:"attach", case_number}`; staff also `take`, `handover` (`to`),
/// `available` (`value`), `queue`.
/// Server → client: `{type:"message", conversation, seq, author, name, body, at, staff_only}`,
/// `{type:"state", conversation, state, assigned_to_me}`, `{type:"typing", conversation}`,
/// `{type:"queue", …}` (staff), `{type:"done", what}` and `{type:"error", code}`.
struct ChatClientFrame: Decodable {
    var type: String
    var conversation: Int?
    var after_seq: Int?
    var body: String?
    var staff_only: Bool?
    var to: Int?
    var case_number: Int?
    var value: Bool?
}

struct ChatMessageFrame: Encodable {
    var type = "message"
    var conversation: Int
    var seq: Int
    var author: String
    var name: String
    var body: String
    var at: String
    var staff_only: Bool
}

struct ChatStateFrame: Encodable {
    var type = "state"
    var conversation: Int
    var state: String
    var assigned_to_me: Bool
    var case_number: Int?
    var inquiry: Bool
}

struct ChatSimpleFrame: Encodable {
    var type: String
    var conversation: Int?
    var code: String?
    var what: String?
}

struct ChatQueueFrame: Encodable {
    struct Waiting: Encodable {
        var conversation: Int
        var name: String
        var email: String
        var since: String
        var waited_seconds: Int
    }
    struct Colleague: Encodable {
        var id: Int
        var name: String
    }
    var type = "queue"
    var waiting: [Waiting]
    var mine: [Int]
    var available: Bool
    var colleagues: [Colleague]
}

/// Who is on the other end of a socket.
enum ChatParty: Sendable {
    case customer(ChatCustomer)
    case staff(StaffActor)

    var isStaff: Bool { if case .staff = self { return true } else { return false } }
}

/// One open chat socket. It follows conversations (a customer one, a member of staff several), and
/// whenever the bus says a conversation has news it reads, from the database, every message after the
/// last number it sent — so a missed or repeated signal changes nothing, and a resume is exact.
actor ChatConnection: ChatSubscriber {
    let socket: WebSocket
    let party: ChatParty
    let context: OperationContext
    let bus: any ChatBus
    let limits: ChatSocketLimits
    let address: String
    let logger: Logger
    let cache: ChatMessageCache
    /// What this server's pages say of the chat; forgotten when a handler changes theirs here.
    let availability: ChatAvailability
    /// This server's work in flight: a frame or a signal being handled counts, as a request does.
    let inFlight: InFlightRequests
    /// Conversation → the last number sent on this socket.
    private var followed: [Int: Int] = [:]
    /// Conversation → the state last sent (sent again only when it changes).
    private var sentStates: [Int: String] = [:]
    private var pumping: Set<Int> = []
    private var again: Set<Int> = []
    private var messages: TokenBucket
    private var frameWindow: (start: Date, count: Int) = (Date(), 0)
    private var lastTyping: Date = .distantPast
    private var closed = false

    init(socket: WebSocket, party: ChatParty, context: OperationContext, bus: any ChatBus, limits: ChatSocketLimits,
         address: String, logger: Logger, cache: ChatMessageCache, availability: ChatAvailability,
         inFlight: InFlightRequests) {
        self.inFlight = inFlight
        self.logger = logger
        self.cache = cache
        self.availability = availability
        self.socket = socket
        self.party = party
        self.context = context
        self.bus = bus
        self.limits = limits
        self.address = address
        self.messages = TokenBucket(capacity: limits.messageBurst, refillEvery: limits.messageRefill)
    }

    static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }

    func send<T: Encodable>(_ frame: T) async {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard !closed, let data = try? encoder.encode(frame) else { return }
        try? await socket.send(String(decoding: data, as: UTF8.self))
    }

    func fail(_ code: String, conversation: Int? = nil) async {
        await send(ChatSimpleFrame(type: "error", conversation: conversation, code: code))
    }

    /// Closes the socket as a policy violation (another's conversation, a flood).
    func closeForPolicy() async {
        guard !closed else { return }
        closed = true
        try? await socket.close(code: .policyViolation)
    }

    func markClosed() { closed = true }

    func goAway() async {
        guard !closed else { return }
        closed = true
        try? await socket.close(code: .goingAway)
    }

    // MARK: Signals from the bus

    func receive(_ signal: ChatSignal) async {
        guard !closed, inFlight.enter() else { return }
        defer { inFlight.leave() }
        switch signal {
        case .message(let conversation, let seq):
            if let last = followed[conversation], seq > last { await pump(conversation, upTo: seq) }
        case .typing(let conversation, let byStaff):
            if followed[conversation] != nil, byStaff != party.isStaff {
                await send(ChatSimpleFrame(type: "typing", conversation: conversation))
            }
        case .queue:
            if party.isStaff { await sendQueue() }
        case .resync:
            for conversation in followed.keys { await pump(conversation) }
            if party.isStaff { await sendQueue() }
        }
    }

    /// Sends every message after the last one sent, then the state if it changed. One pump per
    /// conversation at a time; a signal meanwhile makes it read once more.
    func pump(_ conversation: Int, upTo known: Int? = nil) async {
        if pumping.contains(conversation) {
            again.insert(conversation)
            return
        }
        pumping.insert(conversation)
        defer { pumping.remove(conversation) }
        repeat {
            again.remove(conversation)
            guard let after = followed[conversation] else { return }
            var batch: [ChatMessageRecord]
            // The message the signal named (and those before it) usually come from the shared cache.
            if let known, known > after,
               let cached = await cache.messages(conversation: conversation, after: after, upTo: known, database: context.database) {
                batch = cached
            } else {
                let chats = Chats(database: context.database)
                guard let read = try? await chats.messages(conversationId: conversation, after: after,
                                                           includeStaffOnly: true, limit: 500) else { return }
                batch = read
            }
            let fetched = batch.count
            let lastRead = batch.last?.seq
            if !party.isStaff { batch = batch.filter { !$0.staffOnly } }
            let changesState = sentStates[conversation] == nil || batch.contains { $0.authorKind == .system }
            for message in batch {
                await send(ChatMessageFrame(conversation: conversation, seq: message.seq, author: message.authorKind.rawValue,
                                            name: message.authorName, body: message.body,
                                            at: Self.timestamp(message.createdAt), staff_only: message.staffOnly))
                followed[conversation] = message.seq
            }
            // Staff notes a customer was not sent are passed over too.
            if let lastRead, lastRead > (followed[conversation] ?? 0) { followed[conversation] = lastRead }
            if fetched == 500 { again.insert(conversation) }
            // The state changes only with a system line (taken, handed over, ended) or an attach.
            if changesState { await sendStateIfChanged(conversation) }
        } while again.contains(conversation)
    }

    func sendStateIfChanged(_ conversation: Int) async {
        guard let record = try? await Chats(database: context.database).find(id: conversation) else { return }
        var mine = false
        if case .staff(let staff) = party { mine = record.assignedStaffId == staff.staffId }
        var caseNumber: Int?
        if let caseId = record.caseId, let found = try? await CaseRecord.find(caseId, on: context.database) {
            caseNumber = found.number
        }
        let frame = ChatStateFrame(conversation: conversation, state: record.state.rawValue, assigned_to_me: mine,
                                   case_number: caseNumber, inquiry: record.inquiryId != nil)
        let key = "\(frame.state)|\(mine)|\(caseNumber ?? 0)|\(frame.inquiry)"
        guard sentStates[conversation] != key else { return }
        sentStates[conversation] = key
        await send(frame)
    }

    func sendQueue() async {
        guard case .staff(let staff) = party else { return }
        let chats = Chats(database: context.database)
        guard let waiting = try? await chats.waiting(), let mine = try? await chats.active(staffId: staff.staffId),
              let available = try? await chats.availableStaff() else { return }
        let now = context.now
        await send(ChatQueueFrame(
            waiting: waiting.compactMap { record in
                guard let id = record.id else { return nil }
                return .init(conversation: id, name: record.visitorName, email: record.visitorEmail,
                             since: Self.timestamp(record.createdAt),
                             waited_seconds: max(0, Int(now.timeIntervalSince(record.createdAt))))
            },
            mine: mine.compactMap(\.id),
            available: available.contains { $0.id == staff.staffId },
            colleagues: available.filter { $0.id != staff.staffId }.map { .init(id: $0.id, name: $0.name) }))
    }

    // MARK: Frames from the client

    func handle(_ text: String) async {
        // Counted like a request, so a stop waits for it before the databases close (and drops it
        // once the stop has begun).
        guard !closed, inFlight.enter() else { return }
        defer { inFlight.leave() }
        let now = Date()
        if now.timeIntervalSince(frameWindow.start) >= 1 { frameWindow = (now, 0) }
        frameWindow.count += 1
        if frameWindow.count > limits.framesPerSecond {
            await fail("rate_limited")
            await closeForPolicy()
            return
        }
        guard let frame = try? JSONDecoder().decode(ChatClientFrame.self, from: Data(text.utf8)) else {
            await fail("bad_frame")
            return
        }
        do {
            switch party {
            case .customer(let customer): try await handleCustomer(frame, customer)
            case .staff(let staff): try await handleStaff(frame, staff)
            }
        } catch let error as OperationError {
            switch error {
            case .notFound:
                await fail("not_found", conversation: frame.conversation)
            case .forbidden: await fail("forbidden", conversation: frame.conversation)
            case .alreadyDone, .stale: await fail("already_done", conversation: frame.conversation)
            case .notAllowedNow: await fail("not_allowed_now", conversation: frame.conversation)
            }
        } catch {
            logger.error("chat socket: \(String(reflecting: error))")
            await fail("server_error", conversation: frame.conversation)
        }
    }

    /// The one conversation a customer's socket follows.
    var customerConversation: Int? { followed.keys.first }

    func handleCustomer(_ frame: ChatClientFrame, _ customer: ChatCustomer) async throws {
        switch frame.type {
        case "hello":
            guard let id = frame.conversation,
                  try await Chats(database: context.database).find(
                    id: id, portalUserId: customer.portal?.userId, visitorTokenHash: customer.visitorTokenHash) != nil
            else {
                // Another conversation, or none: the same answer as for one that does not exist.
                await fail("not_found", conversation: frame.conversation)
                await closeForPolicy()
                return
            }
            followed = [id: max(0, frame.after_seq ?? 0)]
            sentStates = [:]
            await pump(id)
        case "message":
            guard let id = customerConversation else { return await fail("hello_first") }
            guard messages.take() else { return await fail("rate_limited", conversation: id) }
            switch try await PostChatMessage.asCustomer(conversationId: id, body: frame.body ?? "", by: customer, in: context) {
            case .done(let posted):
                await bus.publish(.message(conversation: id, seq: posted.seq))
            case .problems(let problems):
                await fail(problems[.body] ?? "bad_frame", conversation: id)
            }
        case "typing":
            guard let id = customerConversation, typingAllowed() else { return }
            await bus.publish(.typing(conversation: id, byStaff: false))
        case "end":
            guard let id = customerConversation else { return await fail("hello_first") }
            _ = try await EndChat.asCustomer(conversationId: id, by: customer, in: context)
            await announce(id)
        case "transcript":
            guard let id = customerConversation else { return await fail("hello_first") }
            try await SendChatTranscript.asCustomer(conversationId: id, by: customer, in: context)
            await send(ChatSimpleFrame(type: "done", conversation: id, what: "transcript"))
        case "attach":
            guard let id = customerConversation, let number = frame.case_number else { return await fail("bad_frame") }
            try await AttachChatToCase.asCustomer(conversationId: id, caseNumber: number, by: customer, in: context)
            await sendStateIfChanged(id)
        default:
            await fail("bad_frame")
        }
    }

    func handleStaff(_ frame: ChatClientFrame, _ staff: StaffActor) async throws {
        switch frame.type {
        case "hello":
            guard let id = frame.conversation, try await Chats(database: context.database).find(id: id) != nil else {
                return await fail("not_found", conversation: frame.conversation)
            }
            followed[id] = max(0, frame.after_seq ?? 0)
            sentStates[id] = nil
            await pump(id)
        case "queue":
            await sendQueue()
        case "available":
            try await SetChatAvailability.run(available: frame.value ?? false, by: staff, in: context)
            availability.forget()
            await bus.publish(.queue)
        case "take":
            guard let id = frame.conversation else { return await fail("bad_frame") }
            try await TakeChat.run(conversationId: id, by: staff, in: context)
            if followed[id] == nil { followed[id] = 0 }
            await announce(id)
        case "message":
            guard let id = frame.conversation else { return await fail("bad_frame") }
            guard messages.take() else { return await fail("rate_limited", conversation: id) }
            switch try await PostChatMessage.asStaff(conversationId: id, body: frame.body ?? "", staffOnly: frame.staff_only ?? false,
                                                    by: staff, in: context) {
            case .done(let posted):
                await bus.publish(.message(conversation: id, seq: posted.seq))
            case .problems(let problems):
                await fail(problems[.body] ?? "bad_frame", conversation: id)
            }
        case "typing":
            guard let id = frame.conversation, followed[id] != nil, typingAllowed() else { return }
            await bus.publish(.typing(conversation: id, byStaff: true))
        case "handover":
            guard let id = frame.conversation, let colleague = frame.to else { return await fail("bad_frame") }
            switch try await HandOverChat.run(conversationId: id, to: colleague, by: staff, in: context) {
            case .done: await announce(id)
            case .problems: await fail("colleague_away", conversation: id)
            }
        case "end":
            guard let id = frame.conversation else { return await fail("bad_frame") }
            try await EndChat.asStaff(conversationId: id, by: staff, in: context)
            await announce(id)
        case "attach":
            guard let id = frame.conversation, let number = frame.case_number else { return await fail("bad_frame") }
            try await AttachChatToCase.asStaff(conversationId: id, caseNumber: number, by: staff, in: context)
            sentStates[id] = nil
            await sendStateIfChanged(id)
        case "transcript":
            guard let id = frame.conversation else { return await fail("bad_frame") }
            try await SendChatTranscript.asStaff(conversationId: id, by: staff, in: context)
            await send(ChatSimpleFrame(type: "done", conversation: id, what: "transcript"))
        default:
            await fail("bad_frame")
        }
    }

    /// After a change of state (take, hand over, end): the conversation's new line reaches every
    /// socket that follows it, and the staff queues change.
    func announce(_ conversation: Int) async {
        if let record = try? await Chats(database: context.database).find(id: conversation) {
            await bus.publish(.message(conversation: conversation, seq: record.lastSeq))
        }
        await bus.publish(.queue)
    }

    /// One typing signal per second at most; the rest are dropped.
    func typingAllowed() -> Bool {
        let now = Date()
        guard now.timeIntervalSince(lastTyping) >= 1 else { return false }
        lastTyping = now
        return true
    }
}
