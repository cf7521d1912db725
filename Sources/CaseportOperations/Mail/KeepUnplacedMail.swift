import CaseportStore
import Foundation

/// B7: mail the gate could not place on a case is kept for staff, never dropped — the message already
/// stored as a file under `storageKey` (never in the database, which the staff list would drag along),
/// and the sender, subject and reason listed on the staff outbox page.
public enum KeepUnplacedMail {
    public struct Input: Sendable {
        public var sender: String
        public var subject: String
        /// Why it was not placed: `no_token`, `bad_token`, `too_large`, `unknown_case`, `unknown_sender`, `empty`.
        public var reason: String
        public var storageKey: String
        public var bytes: Int

        public init(sender: String, subject: String, reason: String, storageKey: String, bytes: Int) {
            self.sender = sender
            self.subject = subject
            self.reason = reason
            self.storageKey = storageKey
            self.bytes = bytes
        }
    }

    public static func run(_ input: Input, in context: OperationContext) async throws {
        let record = UnplacedMailRecord()
        record.receivedAt = context.now.timeIntervalSince1970
        record.sender = String(input.sender.prefix(300))
        record.subject = String(input.subject.prefix(500))
        record.reason = input.reason
        record.raw = ""
        record.rawKey = input.storageKey
        record.rawBytes = input.bytes
        try await record.create(on: context.database)
    }
}
