import Foundation
import NIOConcurrencyHelpers

/// Removes upload parts left in `files/incoming/` (a crash or a killed server mid-upload can still
/// leave one behind, and the folder must not grow for ever). An upload in progress writes its file
/// continuously, so only files untouched for `maximumAge` go. Runs at start and, at most once a
/// minute, when an upload begins.
enum IncomingSweeper {
    static let maximumAge: TimeInterval = 3_600
    static let interval: TimeInterval = 60
    private static let lastSweep = NIOLockedValueBox<Date>(.distantPast)

    /// Sweeps unless it ran less than `interval` ago.
    static func sweepIfDue(_ directory: URL, now: Date = Date()) {
        let due = lastSweep.withLockedValue { last -> Bool in
            guard now.timeIntervalSince(last) >= interval else { return false }
            last = now
            return true
        }
        if due { sweep(directory, now: now) }
    }

    /// Removes every regular file in `directory` last modified over `maximumAge` before `now`.
    /// Returns how many were removed.
    @discardableResult
    static func sweep(_ directory: URL, now: Date = Date()) -> Int {
        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: directory.path) else { return 0 }
        var removed = 0
        for name in names {
            let path = directory.appendingPathComponent(name).path
            guard let attributes = try? fileManager.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular,
                  let modified = attributes[.modificationDate] as? Date,
                  now.timeIntervalSince(modified) > maximumAge else { continue }
            if (try? fileManager.removeItem(atPath: path)) != nil { removed += 1 }
        }
        return removed
    }
}
