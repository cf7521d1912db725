import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 16, point 3: an administrator subscribes a URL to case-event kinds. The URL must be http(s)
/// and every address its host resolves to outside the server's own networks (`WebhookTarget`) unless
/// the operator allowed the range. A new subscription gets a fresh secret (`whsec_` + 32 random bytes
/// in base64, Standard Webhooks); "new secret" replaces it. Every change is a `settings_changed` line.
public enum SaveWebhook {
    public struct Input: Sendable {
        /// nil subscribes a new URL.
        public var subscriptionId: Int?
        public var url: String
        public var description: String
        public var kinds: [String]
        /// Ignored for a new subscription, which is active. Switching on clears a run of failures.
        public var isActive: Bool
        public var newSecret: Bool

        public init(subscriptionId: Int?, url: String, description: String, kinds: [String], isActive: Bool = true,
                    newSecret: Bool = false) {
            self.subscriptionId = subscriptionId
            self.url = url
            self.description = description
            self.kinds = kinds
            self.isActive = isActive
            self.newSecret = newSecret
        }
    }

    public enum Field: String, Hashable, Sendable { case url, description, kinds }

    /// What the operator allows and how names are resolved (the web passes the configuration and the
    /// system resolver; tests a fixed table).
    public struct TargetPolicy: Sendable {
        public var allowed: [IPAddressRange]
        public var resolve: @Sendable (String) async -> [String]
        public init(allowed: [IPAddressRange], resolve: @escaping @Sendable (String) async -> [String] = WebhookTarget.resolve) {
            self.allowed = allowed
            self.resolve = resolve
        }
    }

    public static func run(_ input: Input, policy: TargetPolicy, by actor: StaffActor,
                           in context: OperationContext) async throws -> Outcome<Int, Field> {
        try actor.requireAdmin()
        let url = input.url.trimmed, description = input.description.trimmed
        let kinds = CaseEvent.Kind.allCases.map(\.rawValue).filter(input.kinds.contains)
        var problems = Problems<Field>()
        if url.isEmpty {
            problems.add(.url, ProblemKey.required)
        } else {
            switch await WebhookTarget.check(url, allowed: policy.allowed, resolve: policy.resolve) {
            case .success: break
            case .failure(.badURL): problems.add(.url, "webhook_error_url")
            case .failure(.unresolvable): problems.add(.url, "webhook_error_unresolvable")
            case .failure(.internalAddress): problems.add(.url, "webhook_error_internal")
            }
        }
        if description.count > 200 { problems.add(.description, ProblemKey.tooLong) }
        if kinds.isEmpty { problems.add(.kinds, "webhook_error_kinds") }
        guard problems.isEmpty else { return .problems(problems) }

        let now = context.now.timeIntervalSince1970
        return .done(try await context.database.transaction { tx in
            guard let id = input.subscriptionId else {
                let record = WebhookSubscriptionRecord()
                record.url = url
                record.description = description
                record.kinds = WebhookSubscriptionRecord.storedKinds(kinds)
                record.secret = newSecret()
                record.isActive = true
                record.failedAttempts = 0
                record.createdAt = now
                try await record.create(on: tx)
                let id = try record.requireID()
                try await context.auditSettings([.init(field: "webhook \(id) added", before: "–",
                                                       after: "\(url) [\(kinds.joined(separator: ", "))]")],
                                                subject: "webhooks", by: actor, on: tx)
                return id
            }
            guard let record = try await WebhookSubscriptionRecord.find(id, on: tx) else { throw OperationError.notFound }
            let label = "webhook \(id)"
            let changes: [SettingsChange] = [
                .init(field: "\(label) url", before: record.url, after: url),
                .init(field: "\(label) description", before: record.description, after: description),
                .init(field: "\(label) kinds", before: record.kindNames.joined(separator: ", "), after: kinds.joined(separator: ", ")),
                .init(field: "\(label) active", before: .flag(record.isActive), after: .flag(input.isActive)),
                .init(field: "\(label) secret", before: "…", after: input.newSecret ? "new" : "…"),
            ]
            if input.isActive && !record.isActive {
                // Switched on again: the run of failures starts afresh, and what gave up meanwhile is sent.
                record.failingSince = nil
                record.failedAttempts = 0
                record.disabledAt = nil
                try await WebhookQueue(database: tx).resume(subscriptionId: id)
            }
            record.url = url
            record.description = description
            record.kinds = WebhookSubscriptionRecord.storedKinds(kinds)
            record.isActive = input.isActive
            if input.newSecret { record.secret = newSecret() }
            try await record.save(on: tx)
            try await context.auditSettings(changes, subject: "webhooks", by: actor, on: tx)
            return id
        })
    }

    /// `whsec_` and 32 random bytes in base64 (the form Standard Webhooks libraries read).
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "whsec_" + Data(bytes).base64EncodedString()
    }
}

/// An administrator removes a subscription; its deliveries and their attempts go with it.
public enum RemoveWebhook {
    public static func run(subscriptionId: Int, by actor: StaffActor, in context: OperationContext) async throws {
        try actor.requireAdmin()
        try await context.database.transaction { tx in
            guard let record = try await WebhookSubscriptionRecord.find(subscriptionId, on: tx) else { throw OperationError.notFound }
            let deliveries = try await WebhookDeliveryRecord.query(on: tx).filter(\.$subscriptionId == subscriptionId)
                .field(\.$id).all().compactMap(\.id)
            for chunk in stride(from: 0, to: deliveries.count, by: 500).map({ Array(deliveries[$0..<min($0 + 500, deliveries.count)]) }) {
                try await WebhookAttemptRecord.query(on: tx).filter(\.$deliveryId ~~ chunk).delete()
            }
            try await WebhookDeliveryRecord.query(on: tx).filter(\.$subscriptionId == subscriptionId).delete()
            try await record.delete(on: tx)
            try await context.auditSettings([.init(field: "webhook \(subscriptionId) removed", before: record.url, after: "–")],
                                            subject: "webhooks", by: actor, on: tx)
        }
    }
}

/// An administrator sends one delivery again, now, with a fresh count of attempts.
public enum RedeliverWebhook {
    public static func run(subscriptionId: Int, deliveryId: Int, by actor: StaffActor, in context: OperationContext) async throws {
        try actor.requireAdmin()
        guard try await WebhookQueue(database: context.database).redeliver(id: deliveryId, subscriptionId: subscriptionId) else {
            throw OperationError.notFound
        }
    }
}

/// The worker found a subscription failing for a day (`WebhookQueue.Verdict.subscriptionFailing`): it
/// is switched off, and every active administrator gets a notice through the outbox, in one
/// transaction with an audit line. Its deliveries wait (events while it is off are not queued for it);
/// switching it on again sends them, including those that had used up their attempts.
public enum DisableFailingWebhook {
    public static func run(subscriptionId: Int, by actor: SystemActor, in context: OperationContext) async throws {
        try await context.database.transaction { tx in
            // One conditional UPDATE: when several failing deliveries end at once, one switches it off.
            guard try await WebhookQueue(database: tx).switchOff(subscriptionId: subscriptionId, at: context.now),
                  let record = try await WebhookSubscriptionRecord.find(subscriptionId, on: tx) else { return }
            try await context.audit(.settingsChanged, by: .system, subject: "webhooks",
                                    details: "webhook \(subscriptionId) active: yes → no (failing since "
                                        + "\(Date(timeIntervalSince1970: record.failingSince ?? 0)))", on: tx)
            let admins = try await StaffUserRecord.query(on: tx).filter(\.$role == .admin).filter(\.$isActive == true).all()
            for admin in admins {
                try await Notifications.webhookDisabled(context.notifications, to: admin, url: record.url,
                                                        subscriptionId: subscriptionId).create(on: tx)
            }
        }
    }
}
