import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// The CSV uploads waiting for their import's confirmation: noted, found, forgotten, and the ones
/// older than a cut-off handed back for their bytes to be removed — without touching the settings.
final class ImportUploadsTests: StoreTestCase {
    func testUploadsAreNotedForgottenAndExpiredByArrivalTime() async throws {
        let uploads = ImportUploads(database: db)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        try await uploads.add(key: "aa11", at: start)
        try await uploads.add(key: "bb22", at: start.addingTimeInterval(3_600))
        try await uploads.add(key: "cc33", at: start.addingTimeInterval(7_200))
        var settings = PortalSettings()
        settings.smsEnabled = true
        try await SettingsStore(database: db).save(settings)

        let waiting = try await uploads.isWaiting(key: "bb22"), unknown = try await uploads.isWaiting(key: "dd44")
        XCTAssertTrue(waiting)
        XCTAssertFalse(unknown)
        let removed = try await uploads.remove(key: "bb22"), removedAgain = try await uploads.remove(key: "bb22")
        XCTAssertTrue(removed)
        XCTAssertFalse(removedAgain, "a second confirmation finds nothing")

        let expired = try await uploads.removeOlder(than: start.addingTimeInterval(5_000))
        XCTAssertEqual(expired, ["aa11"])
        let old = try await uploads.isWaiting(key: "aa11"), recent = try await uploads.isWaiting(key: "cc33")
        XCTAssertFalse(old)
        XCTAssertTrue(recent)
        let loaded = try await SettingsStore(database: db).load()
        XCTAssertEqual(loaded, settings, "the settings document is not an upload")
    }
}
