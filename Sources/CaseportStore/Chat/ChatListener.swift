import FluentPostgresDriver
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The listening side of chat's LISTEN/NOTIFY (PostgreSQL): one dedicated connection per server,
/// outside the pool, that listens on `channel` and hands each payload to `handler`. When the
/// connection is lost (a restart, `pg_terminate_backend`), it reconnects with a short back-off and,
/// once it listens again, reports `.reconnected`, so the server re-reads from the last sequence
/// numbers it has sent: a notification missed while it was away costs a moment, never a message.
public final class ChatListener: Sendable {
    public enum Event: Sendable {
        case notification(String)
        case reconnected
    }

    let configuration: PostgresConnection.Configuration
    let channel: String
    let logger: Logger
    let eventLoop: any EventLoop
    let handler: @Sendable (Event) -> Void
    private let state = State()

    /// `url` is DATABASE_URL.
    public init(url: String, channel: String, eventLoop: any EventLoop, logger: Logger,
                handler: @escaping @Sendable (Event) -> Void) throws {
        self.configuration = try DatabaseLocation.postgresConfiguration(url: url).coreConfiguration
        self.channel = channel
        self.logger = logger
        self.eventLoop = eventLoop
        self.handler = handler
    }

    actor State {
        var task: Task<Void, Never>?
        var listening = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// How many times it has started listening (1 after the first LISTEN).
        var rounds = 0

        func set(_ task: Task<Void, Never>) { self.task = task }
        func listeningNow() -> Int {
            listening = true
            rounds += 1
            let waiting = waiters
            waiters = []
            waiting.forEach { $0.resume() }
            return rounds
        }
        func lost() { listening = false }
        func waitUntilListening() async {
            if listening { return }
            await withCheckedContinuation { waiters.append($0) }
        }
        func takeTask() -> Task<Void, Never>? {
            defer { task = nil }
            let waiting = waiters
            waiters = []
            waiting.forEach { $0.resume() }
            return task
        }
    }

    /// Starts listening and returns once the first LISTEN is in place (or after five seconds).
    public func start() async {
        let task = Task { await self.run() }
        await state.set(task)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.state.waitUntilListening() }
            group.addTask { try? await Task.sleep(for: .seconds(5)) }
            await group.next()
            group.cancelAll()
        }
    }

    public func stop() async {
        guard let task = await state.takeTask() else { return }
        task.cancel()
        await task.value
    }

    /// Whether LISTEN is in place now (tests wait for a reconnect with it).
    public var isListening: Bool { get async { await state.listening } }
    public var rounds: Int { get async { await state.rounds } }

    func run() async {
        var backoff = Duration.milliseconds(100)
        var connectionId = 0
        while !Task.isCancelled {
            connectionId += 1
            let roundsBefore = await state.rounds
            do {
                let connection = try await PostgresConnection.connect(on: eventLoop, configuration: configuration,
                                                                      id: connectionId, logger: logger)
                do {
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: channel) { notifications in
                            let round = await state.listeningNow()
                            if round > 1 { handler(.reconnected) }
                            for try await notification in notifications {
                                handler(.notification(notification.payload))
                            }
                        }
                    } onCancel: {
                        connection.close().whenComplete { _ in }
                    }
                } catch {
                    if !Task.isCancelled { logger.warning("chat listener: connection lost (\(String(describing: error)))") }
                }
                await state.lost()
                try? await connection.close()
            } catch {
                if !Task.isCancelled { logger.warning("chat listener: cannot connect (\(String(describing: error)))") }
            }
            if Task.isCancelled { break }
            // A connection that got as far as listening starts the back-off afresh.
            if await state.rounds > roundsBefore { backoff = .milliseconds(100) }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
    }
}
