import CaseportStore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// What one server tells its open chat sockets (and, on PostgreSQL, the other servers). Only ids:
/// a socket that hears of a message reads it from the database, from the last number it has sent.
enum ChatSignal: Sendable, Equatable {
    /// Conversation `conversation` has a message numbered `seq`.
    case message(conversation: Int, seq: Int)
    /// Someone is typing in a conversation (not stored).
    case typing(conversation: Int, byStaff: Bool)
    /// The staff queue changed (a chat started, was taken, ended, handed over).
    case queue
    /// The listening connection was lost and is back: every socket re-reads what it may have missed.
    case resync

    /// The NOTIFY payload: ids only.
    var payload: String {
        switch self {
        case .message(let conversation, let seq): return "m:\(conversation):\(seq)"
        case .typing(let conversation, let byStaff): return "t:\(conversation):\(byStaff ? "s" : "c")"
        case .queue: return "q"
        case .resync: return "r"
        }
    }

    init?(payload: String) {
        let parts = payload.split(separator: ":").map(String.init)
        switch parts.first {
        case "m" where parts.count == 3:
            guard let conversation = Int(parts[1]), let seq = Int(parts[2]) else { return nil }
            self = .message(conversation: conversation, seq: seq)
        case "t" where parts.count == 3:
            guard let conversation = Int(parts[1]) else { return nil }
            self = .typing(conversation: conversation, byStaff: parts[2] == "s")
        case "q" where parts.count == 1: self = .queue
        default: return nil
        }
    }
}

/// One open chat socket as the bus sees it.
protocol ChatSubscriber: Sendable {
    func receive(_ signal: ChatSignal) async
    /// The server stops: close the socket as "going away" (the page's script reconnects, behind a load
    /// balancer to another node).
    func goAway() async
}

/// The bus behind one protocol: `InProcessChatBus` on SQLite (one server), `PostgresChatBus` with
/// LISTEN/NOTIFY on PostgreSQL (several servers on one database).
protocol ChatBus: Sendable {
    /// Tells the sockets of this server and of the others. A message is already stored (and, on
    /// PostgreSQL, already notified in its transaction); this only hurries the local sockets.
    func publish(_ signal: ChatSignal) async
    func subscribe(_ subscriber: any ChatSubscriber) async -> UUID
    func unsubscribe(_ id: UUID)
    func shutdown() async
    /// Closes this server's sockets (a stop), before the databases close under them.
    func closeLocalSockets() async
    /// Open sockets on this server (the benchmark and the tests read it).
    var subscriberCount: Int { get }
}

/// The sockets of this server, told of a signal each.
final class LocalSubscribers: Sendable {
    private let subscribers = NIOLockedValueBox<[UUID: any ChatSubscriber]>([:])

    func add(_ subscriber: any ChatSubscriber) -> UUID {
        let id = UUID()
        subscribers.withLockedValue { $0[id] = subscriber }
        return id
    }

    func remove(_ id: UUID) { subscribers.withLockedValue { _ = $0.removeValue(forKey: id) } }

    var count: Int { subscribers.withLockedValue { $0.count } }

    func closeAll() async {
        let all = subscribers.withLockedValue { Array($0.values) }
        for subscriber in all { await subscriber.goAway() }
    }

    func deliver(_ signal: ChatSignal) {
        let all = subscribers.withLockedValue { Array($0.values) }
        for subscriber in all {
            Task { await subscriber.receive(signal) }
        }
    }
}

/// SQLite: one server, so the bus is this process.
final class InProcessChatBus: ChatBus {
    let local = LocalSubscribers()

    func publish(_ signal: ChatSignal) async { local.deliver(signal) }
    func subscribe(_ subscriber: any ChatSubscriber) async -> UUID { local.add(subscriber) }
    func unsubscribe(_ id: UUID) { local.remove(id) }
    func shutdown() async {}
    func closeLocalSockets() async { await local.closeAll() }
    var subscriberCount: Int { local.count }
}

/// PostgreSQL: a message's NOTIFY is sent in its inserting transaction (`Chats.post`), so every server
/// — this one too — hears of it once it is committed. Typing and queue changes are notified here. A
/// dedicated listening connection (`ChatListener`) is opened with the first socket; when it is lost,
/// it reconnects and every socket re-reads from the last number it has (`resync`), so a notification
/// missed meanwhile costs a moment, not a message.
final class PostgresChatBus: ChatBus {
    let local: LocalSubscribers
    let listener: ChatListener
    let database: any Database
    private let started = NIOLockedValueBox(false)

    init(url: String, database: any Database, eventLoop: any EventLoop, logger: Logger) throws {
        self.database = database
        let local = LocalSubscribers()
        self.local = local
        listener = try ChatListener(url: url, channel: Chats.notifyChannel, eventLoop: eventLoop, logger: logger) { event in
            switch event {
            case .notification(let payload):
                if let signal = ChatSignal(payload: payload) { local.deliver(signal) }
            case .reconnected:
                local.deliver(.resync)
            }
        }
    }

    func publish(_ signal: ChatSignal) async {
        switch signal {
        case .message, .resync:
            local.deliver(signal)
        case .typing, .queue:
            // The other servers hear it through the database; this one at once.
            local.deliver(signal)
            try? await Chats(database: database).notify(signal.payload)
        }
    }

    func subscribe(_ subscriber: any ChatSubscriber) async -> UUID {
        let first = started.withLockedValue { started in defer { started = true }; return !started }
        if first { await listener.start() }
        return local.add(subscriber)
    }

    func unsubscribe(_ id: UUID) { local.remove(id) }
    func shutdown() async { await listener.stop() }
    func closeLocalSockets() async { await local.closeAll() }
    var subscriberCount: Int { local.count }
}

extension Application {
    private struct ChatBusKey: StorageKey { typealias Value = any ChatBus }

    /// The chat bus of this server (configure sets it).
    var chatBus: any ChatBus {
        get { storage[ChatBusKey.self] ?? InProcessChatBus() }
        set { storage[ChatBusKey.self] = newValue }
    }
}

/// Stops the listening connection when the application shuts down.
struct ChatBusLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        await application.chatBus.shutdown()
    }
}
