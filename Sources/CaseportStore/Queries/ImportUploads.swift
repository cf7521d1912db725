import FluentKit
import Foundation

/// The CSV files waiting between an import's preview and its confirmation (D6). The bytes are in
/// `FileStorage` under a generated key; this remembers which keys are import uploads and when each
/// arrived, as one `settings` row per upload (`import_upload:<key>` → seconds since 1970), so an
/// import can only ever read a file that was uploaded to the import, and uploads nobody confirmed
/// can be found and removed again without listing the store.
public struct ImportUploads: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    static let prefix = "import_upload:"

    public func add(key: String, at time: Date) async throws {
        try await SettingRecord(key: Self.prefix + key, value: String(Int(time.timeIntervalSince1970))).create(on: database)
    }

    /// Whether `key` is an upload waiting for its confirmation.
    public func isWaiting(key: String) async throws -> Bool {
        try await SettingRecord.find(Self.prefix + key, on: database) != nil
    }

    /// Forgets one upload (it was imported); returns whether it was waiting.
    @discardableResult
    public func remove(key: String) async throws -> Bool {
        guard let row = try await SettingRecord.find(Self.prefix + key, on: database) else { return false }
        try await row.delete(on: database)
        return true
    }

    /// Forgets every upload that arrived before `time` and returns their keys, for their bytes to be removed.
    public func removeOlder(than time: Date) async throws -> [String] {
        // The settings table holds a handful of rows (the settings document, secrets, these).
        let rows = try await SettingRecord.query(on: database).all()
        var keys: [String] = []
        for row in rows {
            guard let id = row.id, id.hasPrefix(Self.prefix), let seconds = Double(row.value),
                  seconds < time.timeIntervalSince1970 else { continue }
            try await row.delete(on: database)
            keys.append(String(id.dropFirst(Self.prefix.count)))
        }
        return keys
    }
}
