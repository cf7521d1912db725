import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import Foundation
import XCTest

/// A `FileStorage` in memory, for operations that keep bytes (the logo, an import's waiting file).
final class MemoryStorage: FileStorage, @unchecked Sendable {
    private var objects: [String: [UInt8]] = [:]
    private let lock = NSLock()

    private func locked<T>(_ body: (inout [String: [UInt8]]) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&objects)
    }

    var keys: Set<String> { locked { Set($0.keys) } }
    func bytes(_ key: String) -> [UInt8]? { locked { $0[key] } }

    func newKey() -> String { (0..<16).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max)) }.joined() }

    func put(key: String, from source: StorageSource) async throws {
        guard case .bytes(let bytes) = source else { fatalError("only bytes in these tests") }
        locked { $0[key] = bytes }
    }

    func open(key: String, range: Range<Int>?) async throws -> StoredObject {
        guard let bytes = bytes(key) else { throw FileStorageError.notFound(key: key) }
        return StoredObject(size: bytes.count, offset: 0, length: bytes.count, tag: "t",
                            chunks: AsyncThrowingStream { $0.yield(bytes); $0.finish() })
    }

    func size(key: String) async throws -> Int? { bytes(key)?.count }
    func delete(key: String) async throws { _ = locked { $0.removeValue(forKey: key) } }
    func stage() throws -> StagedFile { fatalError("not used by these operations") }
}


/// An administrator and a handler on the operation world's register, and the audit lines they leave.
struct SettingsWorld {
    let world: OperationWorld
    let admin: StaffActor
    var context: OperationContext
    let storage = MemoryStorage()
    var db: any Database { world.db }
    var handler: StaffActor { world.handler }

    static let address = "203.0.113.9"
    static let texts = OperationWorld.texts.merging([
        "mail_login_details_subject": "Login for {organisation}",
        "mail_login_details_body": "Hello {name}, {username}: {link}",
    ]) { a, _ in a }

    static func build(on db: any Database, clock: @escaping @Sendable () -> Date = { Date() }) async throws -> SettingsWorld {
        let world = try await OperationWorld.build(on: db, clock: clock)
        let record = StaffUserRecord(email: "admin@example.com", name: "Ada Admin", role: .admin, passwordHash: "x")
        try await record.create(on: db)
        let translations = Translations(tables: Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, texts) }))
        let context = OperationContext(database: db, clock: clock, notifications: NotificationContext(
            translations: translations, publicBaseURL: "https://portal.example.com", companyName: "Fastighetsservice"),
            clientAddress: address)
        return SettingsWorld(world: world, admin: StaffActor(staffId: try record.requireID(), name: record.name, isAdmin: true),
                             context: context)
    }

    /// The audit lines of one action, oldest first, as "subject | details".
    func audit(_ action: AuditAction) async throws -> [String] {
        try await AuditEventRecord.query(on: db).filter(\.$action == action.rawValue).sort(\.$id).all()
            .map { "\($0.subject ?? "") | \($0.details ?? "")" }
    }

    /// Every audit line was written by the administrator from the request's address.
    func auditIsByAdmin(_ action: AuditAction) async throws -> Bool {
        let lines = try await AuditEventRecord.query(on: db).filter(\.$action == action.rawValue).all()
        return !lines.isEmpty && lines.allSatisfy {
            $0.actorKind == "staff" && $0.actorId == admin.staffId && $0.actorName == "Ada Admin" && $0.ip == Self.address
        }
    }

    func settings() async throws -> PortalSettings { try await SettingsStore(database: db).load() }
}

/// Runs `body` and returns the `OperationError` it threw, or nil.
func operationError(_ body: () async throws -> Void) async -> OperationError? {
    do {
        try await body()
        return nil
    } catch let error as OperationError {
        return error
    } catch {
        return nil
    }
}

/// The value of an operation that did its work; fails the test when it answered with problems.
func unwrap<Value, Field>(_ outcome: Outcome<Value, Field>, file: StaticString = #filePath, line: UInt = #line) throws -> Value {
    try XCTUnwrap(outcome.value, "the operation answered with problems", file: file, line: line)
}
