import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 13 (C7, C9, D5): saving the customer page's settings at one of their three levels — the
/// deployment's default (administrators), a customer's (an insurer or a landlord) and a claim's own.
/// At the two lower levels a nil setting follows the level above. Days after closing are typed; the
/// handler's mobile needs the handler's name (seed 002). One `settings_changed` audit line names the
/// settings that changed; nothing is written when nothing did.
public enum SaveClaimPageSettings {
    public enum Field: String, Sendable, Hashable {
        case daysAfterClose = "days_after_close"
        case showHandlerMobile = "show_handler_mobile"
        case moreInformation = "more_information"
    }

    public enum Level: Sendable, Equatable {
        case deployment
        case customer(id: Int)
        case claim(caseNumber: Int)
    }

    public struct Input: Sendable {
        /// The level's choices; `daysAfterClose` is taken from `daysText` instead.
        public var overrides: ClaimPageOverrides
        /// As typed; empty: as the level above (at the deployment: the default, 30).
        public var daysText: String
        public init(overrides: ClaimPageOverrides, daysText: String) {
            self.overrides = overrides
            self.daysText = daysText
        }
    }

    public static let maximumDays = 3_650
    public static let moreInformationLimit = 1_000

    public static func run(_ input: Input, at level: Level, by actor: StaffActor,
                           in context: OperationContext) async throws -> Outcome<Void, Field> {
        let db = context.database
        let store = ClaimSettingsStore(database: db)
        var overrides = input.overrides
        var problems = Problems<Field>()
        let days = input.daysText.trimmingCharacters(in: .whitespaces)
        if days.isEmpty {
            overrides.daysAfterClose = level == .deployment ? ClaimPageSettings().daysAfterClose : nil
        } else if let value = Int(days), (0...maximumDays).contains(value) {
            overrides.daysAfterClose = value
        } else {
            problems.add(.daysAfterClose, "claimaccess_error_days")
        }
        if let text = overrides.moreInformation {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            overrides.moreInformation = trimmed.isEmpty && level != .deployment ? nil : trimmed
            if trimmed.count > moreInformationLimit { problems.add(.moreInformation, ProblemKey.tooLong) }
        }

        // What the level holds now, and what the effective settings at this level would be.
        let before: ClaimPageOverrides
        let effective: ClaimPageSettings
        var caseId: Int?
        switch level {
        case .deployment:
            guard actor.isAdmin else { throw OperationError.forbidden }
            before = ClaimPageOverrides(everything: try await store.deployment())
            effective = overrides.applied(to: ClaimPageSettings())
        case .customer(let id):
            guard try await CustomerRecord.find(id, on: db) != nil else { throw OperationError.notFound }
            before = try await store.customer(id)
            effective = overrides.applied(to: try await store.deployment())
        case .claim(let number):
            guard let record = try await StaffCases(database: db).find(number: number), let id = record.id else {
                throw OperationError.notFound
            }
            guard try await ClaimDetailsRecord.find(id, on: db) != nil else { throw OperationError.notAllowedNow }
            caseId = id
            before = try await store.caseOverride(id)
            var levels = try await store.levels(caseId: id)
            levels.caseOverride = overrides
            effective = levels.effective
        }
        if effective.showHandlerMobile && !effective.showHandlerName {
            problems.add(.showHandlerMobile, "claimaccess_error_mobile_needs_name")
        }
        guard problems.isEmpty else { return .problems(problems) }
        let changed = changedNames(before, overrides)
        guard !changed.isEmpty else { return .done(()) }
        let chosen = overrides, claimId = caseId
        try await db.transaction { tx in
            let txStore = ClaimSettingsStore(database: tx)
            let subject: String
            switch level {
            case .deployment:
                try await txStore.saveDeployment(chosen.applied(to: ClaimPageSettings()))
                subject = "claim_page"
            case .customer(let id):
                try await txStore.saveCustomer(id, chosen)
                subject = "customer:\(id) claim_page"
            case .claim(let number):
                try await txStore.saveCaseOverride(claimId!, chosen)
                subject = "case:\(number) claim_page"
            }
            try await context.audit(.settingsChanged, by: actor.auditActor, subject: subject,
                                    details: changed.joined(separator: ", "), on: tx)
        }
        return .done(())
    }

    /// The JSON names of the settings that differ between two levels.
    static func changedNames(_ a: ClaimPageOverrides, _ b: ClaimPageOverrides) -> [String] {
        let encoder = JSONEncoder()
        func fields(_ o: ClaimPageOverrides) -> [String: String] {
            guard let data = try? encoder.encode(o),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            return object.mapValues { value in
                if let list = value as? [String] { return list.sorted().joined(separator: ",") }
                return "\(value)"
            }
        }
        let x = fields(a), y = fields(b)
        return Set(x.keys).union(y.keys).filter { x[$0] != y[$0] }.sorted()
    }
}
