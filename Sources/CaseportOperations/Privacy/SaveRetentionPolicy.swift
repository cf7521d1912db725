import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// E3: an administrator sets what happens to each kind of personal data, how many days after a case
/// closes, who to contact about it (the privacy page) and whether the nightly job runs. One
/// `settings_changed` audit line per changed value, in the transaction of the change.
public enum SaveRetentionPolicy {
    public struct Input: Sendable {
        /// Per kind: an `Action` raw value and the days as typed.
        public var actions: [RetentionPolicy.Kind: String]
        public var days: [RetentionPolicy.Kind: String]
        public var contactEmail: String
        public var nightly: Bool
        public init(actions: [RetentionPolicy.Kind: String], days: [RetentionPolicy.Kind: String], contactEmail: String, nightly: Bool) {
            self.actions = actions
            self.days = days
            self.contactEmail = contactEmail
            self.nightly = nightly
        }
    }

    /// Form names: `action_<kind>`, `days_<kind>`, `contact_email`.
    public enum Field: Hashable, Sendable {
        case action(RetentionPolicy.Kind)
        case days(RetentionPolicy.Kind)
        case contactEmail

        public var name: String {
            switch self {
            case .action(let kind): return "action_\(kind.rawValue)"
            case .days(let kind): return "days_\(kind.rawValue)"
            case .contactEmail: return "contact_email"
            }
        }
    }

    /// Returns how many values changed (0: nothing written).
    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        try actor.requireAdmin()
        let store = RetentionSettingsStore(database: context.database)
        let current = try await store.load()
        let updated: RetentionPolicy
        switch check(input) {
        case .problems(let problems): return .problems(problems)
        case .done(let policy): updated = policy
        }
        let changes = changes(from: current, to: updated)
        guard !changes.isEmpty else { return .done(0) }
        try await context.database.transaction { tx in
            try await RetentionSettingsStore(database: tx).save(updated)
            for change in changes {
                try await context.audit(.settingsChanged, by: actor.auditActor, subject: "retention", details: change, on: tx)
            }
        }
        return .done(changes.count)
    }

    static func check(_ input: Input) -> Outcome<RetentionPolicy, Field> {
        var problems = Problems<Field>()
        var policy = RetentionPolicy()
        for kind in RetentionPolicy.Kind.allCases {
            guard let action = RetentionPolicy.Action(rawValue: input.actions[kind] ?? "keep") else {
                problems.add(.action(kind), ProblemKey.chooseFromList)
                continue
            }
            let typed = (input.days[kind] ?? "").trimmingCharacters(in: .whitespaces)
            if action == .keep && typed.isEmpty { continue }
            guard let days = Int(typed), (0...RetentionPolicy.maximumDays).contains(days) else {
                problems.add(.days(kind), typed.isEmpty ? ProblemKey.required : "retention_days_invalid")
                continue
            }
            policy.rules[kind] = .init(action: action, days: days)
        }
        let email = input.contactEmail.trimmingCharacters(in: .whitespaces)
        if !email.isEmpty && !EmailAddress.isValid(email) { problems.add(.contactEmail, ProblemKey.invalidEmail) }
        policy.contactEmail = email
        policy.nightly = input.nightly
        return problems.isEmpty ? .done(policy) : .problems(problems)
    }

    /// "message_texts: keep → anonymise after 365 days", one line per changed value.
    static func changes(from old: RetentionPolicy, to new: RetentionPolicy) -> [String] {
        func shown(_ rule: RetentionPolicy.Rule) -> String {
            rule.action == .keep ? "keep" : "\(rule.action.rawValue) after \(rule.days) days"
        }
        var lines: [String] = []
        for kind in RetentionPolicy.Kind.allCases where shown(old.rule(for: kind)) != shown(new.rule(for: kind)) {
            lines.append("\(kind.rawValue): \(shown(old.rule(for: kind))) → \(shown(new.rule(for: kind)))")
        }
        if old.contactEmail != new.contactEmail { lines.append("contact_email: \(old.contactEmail) → \(new.contactEmail)") }
        if old.nightly != new.nightly { lines.append("nightly: \(old.nightly) → \(new.nightly)") }
        return lines
    }
}
