import CaseportStore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Whether anyone answers chats, as the portal pages show it on the chat button (issue 17: the page
/// carries it, so `chat.js` no longer asks `/chat/status` on every page load). Read from the database at
/// most once per `lifetime` per server and forgotten at once when a handler on this server changes
/// their availability (by the console's form or its socket); another server's change shows within
/// `lifetime`. The label is only a hint: the panel asks `/chat/status` again when it opens.
final class ChatAvailability: @unchecked Sendable {
    private let lock = NIOLock()
    private var known: (open: Bool, at: Date)?
    /// Bumped by `forget`: a read that began before a change must not store what it read after it.
    private var generation = 0
    private var keptFor: TimeInterval

    init(lifetime: TimeInterval = 3) {
        keptFor = lifetime
    }

    /// How long a value read is kept (tests lengthen it to see that a change forgets it).
    var lifetime: TimeInterval {
        get { lock.withLock { keptFor } }
        set { lock.withLock { keptFor = newValue } }
    }

    func isOpen(on database: any Database, now: Date = Date()) async throws -> Bool {
        if let known = lock.withLock({ known }), now.timeIntervalSince(known.at) < lifetime, now >= known.at {
            return known.open
        }
        let started = lock.withLock { generation }
        let open = try await Chats(database: database).anyoneAvailable()
        lock.withLock {
            if generation == started { known = (open, now) }
        }
        return open
    }

    func forget() {
        lock.withLock {
            known = nil
            generation += 1
        }
    }
}
