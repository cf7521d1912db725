import CaseportStore
import FluentKit
import Foundation

/// Names the migrated templates the test databases are cloned from. The key is a hash of the
/// migration names and, when the sources are at hand (always in a checkout), of the migration files'
/// text: a new migration, or an edit to one not yet shipped, gives a new template instead of clones
/// of a stale one. Old templates are left alone (another checkout on the same server may use them).
enum TemplateKey {
    /// Raise to force new templates when the way they are built changes.
    static let version = "3"

    static let current: String = {
        var hash = FNV1a()
        hash.add(version)
        for migration in CaseportMigrations.all { hash.add(migration.name) }
        for text in migrationSources() { hash.add(text) }
        return String(hash.value, radix: 16)
    }()

    /// The text of Sources/CaseportStore/Migrations/*.swift, sorted by file name; empty when the
    /// tests run away from their checkout.
    static func migrationSources() -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = root.appendingPathComponent("Sources/CaseportStore/Migrations")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".swift") }.sorted()
        return names.compactMap { try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
    }

    /// 64-bit FNV-1a: stable across runs and processes (Swift's `Hasher` is seeded per process).
    struct FNV1a {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        mutating func add(_ text: String) {
            for byte in text.utf8 + [0] {
                value ^= UInt64(byte)
                value = value &* 0x0000_0100_0000_01b3
            }
        }
    }
}
