import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// The back office of a claim (issue 13, D3): what the staff case page's "Claim" part reads — the
/// claim's details, its tasks with their media, the call history, the roles of the case's contacts —
/// and the writes its operations share (the case's version check, a contact's role).
public struct ClaimBackOffice: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public func details(caseId: Int) async throws -> ClaimDetailsRecord? {
        try await ClaimDetailsRecord.find(caseId, on: database)
    }

    /// The plan: tasks with a start first, by start; then those without one, in the order added.
    public func tasks(caseId: Int) async throws -> [ClaimTaskRecord] {
        let tasks = try await ClaimTaskRecord.query(on: database).filter(\.$caseId == caseId).sort(\.$id).limit(500).all()
        return tasks.sorted { a, b in
            switch (a.startsAt, b.startsAt) {
            case let (x?, y?): return x == y ? a.id! < b.id! : x < y
            case (.some, .none): return true
            case (.none, .some): return false
            case (.none, .none): return a.id! < b.id!
            }
        }
    }

    public func task(id: Int, caseId: Int) async throws -> ClaimTaskRecord? {
        try await ClaimTaskRecord.query(on: database).filter(\.$id == id).filter(\.$caseId == caseId).first()
    }

    /// The newest calls first.
    public func calls(caseId: Int, limit: Int = 100) async throws -> [ClaimCallRecord] {
        try await ClaimCallRecord.query(on: database).filter(\.$caseId == caseId)
            .sort(\.$calledAt, .descending).sort(\.$id, .descending).limit(limit).all()
    }

    /// The media of the case's tasks (files with `task_id`), not removed, oldest first.
    public func taskMedia(caseId: Int) async throws -> [StoredFileRecord] {
        try await StoredFileRecord.query(on: database).filter(\.$caseId == caseId).filter(\.$taskId != nil)
            .filter(\.$removedAt == nil).sort(\.$createdAt).sort(\.$id).limit(500).all()
    }

    /// The case's contacts' roles on the claim (`ClaimContactRole` raw values), by contact id.
    public func contactRoles(caseId: Int) async throws -> [Int: String] {
        let links = try await CaseContactLink.query(on: database).filter(\.$caseId == caseId).all()
        return Dictionary(links.compactMap { link in link.role.map { (link.contactId, $0) } }, uniquingKeysWith: { first, _ in first })
    }

    /// Sets the role of a linked contact; false when the contact is not linked to the case.
    public func setContactRole(caseId: Int, contactId: Int, role: String?) async throws -> Bool {
        guard let link = try await CaseContactLink.query(on: database).filter(\.$caseId == caseId)
            .filter(\.$contactId == contactId).first() else { return false }
        link.role = role
        try await link.update(on: database)
        return true
    }

    /// Inside a change's transaction: the case must still be at `expectedVersion` (the page's), and
    /// becomes the next version; `ClaimVersionError.stale` otherwise.
    public static func claimVersion(caseId: Int, expectedVersion: Int, at now: Date, on tx: any Database) async throws {
        guard let record = try await CaseRecord.find(caseId, on: tx) else { throw ClaimVersionError.stale }
        guard record.version == expectedVersion else { throw ClaimVersionError.stale }
        record.version += 1
        record.updatedAt = now
        try await record.update(on: tx)
    }

    /// Names of suppliers by id (for events and the page).
    public func supplierNames(_ ids: [Int]) async throws -> [Int: String] {
        let wanted = Array(Set(ids))
        guard !wanted.isEmpty else { return [:] }
        return Dictionary(try await SupplierRecord.query(on: database).filter(\.$id ~~ wanted).all().map { ($0.id!, $0.name) },
                          uniquingKeysWith: { first, _ in first })
    }
}

public enum ClaimVersionError: Error, Equatable { case stale }
