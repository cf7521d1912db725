import Foundation

/// E3: what happens to each kind of personal data a set time after a case closes. Kept as one JSON
/// document in the `settings` table (`RetentionSettingsStore`); the privacy page is written from it.
public struct RetentionPolicy: Codable, Sendable, Equatable {
    /// The kinds of personal data a case holds. `chat` is listed so the policy and the privacy page
    /// already name it; deleting chat is a seam until the chat tables exist (see `RunRetention`).
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Names, e-mail addresses and phone numbers on the case, its messages, files, events, inquiry,
        /// outbox rows and audit lines, and the register people who are tied to nothing else.
        case contactDetails = "contact_details"
        /// The description and message texts.
        case messageTexts = "message_texts"
        /// Uploaded files (the stored bytes and their names).
        case files
        /// Chat conversations (live chat).
        case chat

        public var labelKey: String { "retention_kind_\(rawValue)" }
    }

    public enum Action: String, Codable, Sendable, CaseIterable {
        case keep
        case delete
        case anonymise

        public var labelKey: String { "retention_action_\(rawValue)" }
    }

    public struct Rule: Codable, Sendable, Equatable {
        public var action: Action
        /// Days after the case closed.
        public var days: Int
        public init(action: Action, days: Int) {
            self.action = action
            self.days = days
        }
    }

    public var rules: [Kind: Rule]
    /// Who a person asks about their data (the privacy page); empty shows the company only.
    public var contactEmail: String
    /// The nightly job runs only when switched on; the back office's "run now" and the command always can.
    public var nightly: Bool

    public init(rules: [Kind: Rule] = [:], contactEmail: String = "", nightly: Bool = false) {
        self.rules = rules
        self.contactEmail = contactEmail
        self.nightly = nightly
    }

    /// Until an administrator sets a policy, everything is kept (nothing is removed by surprise).
    public static let keepEverything = RetentionPolicy()

    public func rule(for kind: Kind) -> Rule { rules[kind] ?? Rule(action: .keep, days: 0) }

    /// The rules that remove something.
    public var active: [(Kind, Rule)] {
        Kind.allCases.compactMap { kind in
            let rule = rule(for: kind)
            return rule.action == .keep ? nil : (kind, rule)
        }
    }

    /// Longest allowed period: 100 years. Zero means "as soon as the case is closed".
    public static let maximumDays = 36_500

    /// Custom coding so the JSON keys are the kinds' raw values, not an array of pairs.
    enum CodingKeys: String, CodingKey { case rules, contactEmail, nightly }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try container.decodeIfPresent([String: Rule].self, forKey: .rules) ?? [:]
        var rules: [Kind: Rule] = [:]
        for (key, value) in raw { if let kind = Kind(rawValue: key) { rules[kind] = value } }
        self.rules = rules
        self.contactEmail = try container.decodeIfPresent(String.self, forKey: .contactEmail) ?? ""
        self.nightly = try container.decodeIfPresent(Bool.self, forKey: .nightly) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Dictionary(uniqueKeysWithValues: rules.map { ($0.key.rawValue, $0.value) }), forKey: .rules)
        try container.encode(contactEmail, forKey: .contactEmail)
        try container.encode(nightly, forKey: .nightly)
    }
}

extension CaseEvent {
    /// The same event with the names it carries replaced (E3): contact names when contact details go,
    /// file names when files go, and a description edit's texts when message texts go (the subject stays:
    /// it names the case in lists).
    public func withoutPersonalData(_ kinds: Set<RetentionPolicy.Kind>, placeholder: String) -> CaseEvent {
        switch self {
        case .contactLinked where kinds.contains(.contactDetails): return .contactLinked(name: placeholder)
        case .contactUnlinked where kinds.contains(.contactDetails): return .contactUnlinked(name: placeholder)
        case .filesUploaded(let names) where kinds.contains(.files): return .filesUploaded(names: names.map { _ in placeholder })
        case .fileRemoved where kinds.contains(.files): return .fileRemoved(name: placeholder)
        case .fieldChanged(let field, let before, let after)
            where kinds.contains(.messageTexts) && field == .description:
            return .fieldChanged(field, before: before.map { _ in placeholder }, after: after.map { _ in placeholder })
        default: return self
        }
    }
}
