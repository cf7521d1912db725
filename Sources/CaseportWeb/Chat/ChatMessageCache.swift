import CaseportStore
import Fluent
import Foundation

/// The latest messages of each conversation on this server, so that a message followed by a thousand
/// sockets is read from the database once, not once per socket. A socket told "conversation c has
/// message s" asks for the messages after its own last number up to s; when the cache holds every
/// one of them they come from memory, else (a resume after a gap, a first read) from the database as
/// before. One read per conversation at a time (single flight); only messages already committed are
/// ever cached, so the cache can lag behind the database but never disagree with it.
actor ChatMessageCache {
    static let kept = 200
    private var recent: [Int: [Int: ChatMessageRecord]] = [:]
    private var loading: [Int: Task<Void, Never>] = [:]

    /// Messages of `conversation` with `after < seq <= upTo`, in order, when all are cached (after
    /// loading once if needed); nil when the cache cannot answer (the caller reads the database).
    func messages(conversation: Int, after: Int, upTo: Int, database: any Database) async -> [ChatMessageRecord]? {
        guard upTo > after, upTo - after <= Self.kept else { return nil }
        if let found = cached(conversation, after: after, upTo: upTo) { return found }
        if let running = loading[conversation] {
            await running.value
            if let found = cached(conversation, after: after, upTo: upTo) { return found }
        }
        let from = max(0, max(after, (recent[conversation]?.keys.max() ?? 0)) - 1)
        let task = Task {
            let fetched = (try? await Chats(database: database).messages(conversationId: conversation, after: from,
                                                                        includeStaffOnly: true, limit: Self.kept)) ?? []
            self.store(conversation, fetched)
        }
        loading[conversation] = task
        await task.value
        loading[conversation] = nil
        return cached(conversation, after: after, upTo: upTo)
    }

    private func store(_ conversation: Int, _ messages: [ChatMessageRecord]) {
        var table = recent[conversation] ?? [:]
        for message in messages { table[message.seq] = message }
        if table.count > Self.kept {
            for seq in table.keys.sorted().prefix(table.count - Self.kept) { table[seq] = nil }
        }
        recent[conversation] = table
    }

    private func cached(_ conversation: Int, after: Int, upTo: Int) -> [ChatMessageRecord]? {
        guard let table = recent[conversation] else { return nil }
        var found: [ChatMessageRecord] = []
        for seq in (after + 1)...upTo {
            guard let message = table[seq] else { return nil }
            found.append(message)
        }
        return found
    }
}
