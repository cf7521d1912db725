import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// E3: one retention run — from the back office (an administrator), the nightly job or the operator's
/// `caseport retention run` (both `SystemActor`). A dry run reads exactly what the real run would clear
/// (`RetentionCandidates`, the same function) and writes nothing but its audit line; both report the
/// number of cases per kind and a sample. The real run clears each case in a transaction of its own
/// (`RetentionClearing`) and deletes the stored files after that commit. It runs on one server at a
/// time (`JobLock`, like the approval round); another server's run makes this one answer `nil`.
public enum RunRetention {
    public struct Report: Sendable, Equatable {
        public var dryRun: Bool
        /// Cases per kind (kinds with nothing to do are 0).
        public var cases: [RetentionPolicy.Kind: Int] = [:]
        /// Cases with anything to do.
        public var totalCases = 0
        /// Register contacts and shared-account persons anonymised (real run only).
        public var people = 0
        /// Stored files deleted (real run only).
        public var files = 0
        /// The first cases, by number.
        public var sample: [Sample] = []

        public struct Sample: Sendable, Equatable {
            public var number: Int
            public var subject: String
            public var closedAt: Date
            public var kinds: [RetentionPolicy.Kind]
        }

        /// For the audit line and the command's output: "contact_details 3, message_texts 3, files 0, chat 0".
        public var summary: String {
            RetentionPolicy.Kind.allCases.map { "\($0.rawValue) \(cases[$0] ?? 0)" }.joined(separator: ", ")
        }
    }

    public static let sampleSize = 50

    /// From the back office: administrators only.
    public static func run(dryRun: Bool, storage: any FileStorage, by actor: StaffActor, in context: OperationContext) async throws -> Report? {
        try actor.requireAdmin()
        return try await run(dryRun: dryRun, storage: storage, auditActor: actor.auditActor, in: context)
    }

    /// The nightly job and the command.
    public static func run(dryRun: Bool, storage: any FileStorage, by actor: SystemActor, in context: OperationContext) async throws -> Report? {
        try await run(dryRun: dryRun, storage: storage, auditActor: .system, in: context)
    }

    /// The nightly job: only when the policy switches it on.
    public static func nightly(storage: any FileStorage, in context: OperationContext) async throws -> Report? {
        guard try await RetentionSettingsStore(database: context.database).load().nightly else { return nil }
        return try await run(dryRun: false, storage: storage, auditActor: .system, in: context)
    }

    static func run(dryRun: Bool, storage: any FileStorage, auditActor: AuditActor, in context: OperationContext) async throws -> Report? {
        let policy = try await RetentionSettingsStore(database: context.database).load()
        let now = context.now
        let placeholder = context.notifications.text("retention_placeholder", in: .sv)
        var report = Report(dryRun: dryRun)
        for kind in RetentionPolicy.Kind.allCases { report.cases[kind] = 0 }
        let result = RunResult(report)
        let held = try await JobLock.run("retention", on: context.database) { db in
            var after = 0
            var local = result.report
            var localKeys: [String] = []
            while true {
                let page = try await RetentionCandidates.page(policy: policy, now: now, afterId: after, on: db)
                for candidate in page.candidates {
                    local.totalCases += 1
                    for kind in candidate.due.keys { local.cases[kind, default: 0] += 1 }
                    if local.sample.count < sampleSize {
                        local.sample.append(.init(number: candidate.number, subject: candidate.subject, closedAt: candidate.closedAt,
                                                  kinds: RetentionPolicy.Kind.allCases.filter { candidate.due[$0] != nil }))
                    }
                    guard !dryRun else { continue }
                    let cleared = try await db.transaction { tx in
                        try await RetentionClearing(database: tx, placeholder: placeholder)
                            .clear(caseId: candidate.caseId, due: candidate.due, now: now)
                    }
                    local.people += cleared.people
                    localKeys += cleared.fileKeys
                }
                guard let last = page.lastId else { break }
                after = last
            }
            if !dryRun && local.totalCases > 0 { try await RetentionClearing.compactSearch(on: db) }
            try await AuditLog(database: db).record(.retentionRun, by: auditActor, subject: dryRun ? "retention dry run" : "retention run",
                                                    details: "cases \(local.totalCases): \(local.summary); people \(local.people)",
                                                    ip: context.clientAddress, at: now)
            result.report = local
            result.keys = localKeys
        }
        guard held else { return nil }
        report = result.report
        // After the commit: a failed delete leaves an object nobody can reach (its row is gone or removed).
        for key in result.keys where (try? await storage.delete(key: key)) != nil {
            report.files += 1
        }
        return report
    }

    /// Carries the job's result out of `JobLock`'s closure (which runs once, before `run` reads it).
    final class RunResult: @unchecked Sendable {
        var report: Report
        var keys: [String] = []
        init(_ report: Report) { self.report = report }
    }
}
