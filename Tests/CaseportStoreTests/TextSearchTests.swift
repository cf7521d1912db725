import CaseportCore
import CaseportStore
import FluentKit
import SQLKit
import XCTest

/// The back office's substring search: any part of the name, ASCII case ignored on both databases,
/// other letters' case only on PostgreSQL (SQLite's LIKE folds ASCII only).
final class TextSearchTests: StoreTestCase {
    func names(matching text: String) async throws -> [String] {
        try await CustomerRecord.query(on: db).filter(\.$name, TextSearch.like(db), TextSearch.pattern(text))
            .sort(\.$name).all().map(\.name)
    }

    func testMatchesAnyPartOfTheNameIgnoringCase() async throws {
        try await make.customer("1", name: "Brf Solgläntan")
        try await make.customer("2", name: "Nordstjärnan AB")
        try await make.customer("3", name: "Åsa Ekström")
        var found = try await names(matching: "SOL")
        XCTAssertEqual(found, ["Brf Solgläntan"])
        found = try await names(matching: "an")
        XCTAssertEqual(found, ["Brf Solgläntan", "Nordstjärnan AB"])
        found = try await names(matching: "xyz")
        XCTAssertEqual(found, [])
        found = try await names(matching: "åsa")
        let isPostgres = (db as? any SQLDatabase)?.dialect.name == "postgresql"
        XCTAssertEqual(found, isPostgres ? ["Åsa Ekström"] : [], "ILIKE folds å; SQLite's LIKE does not")
        found = try await names(matching: "Åsa")
        XCTAssertEqual(found, ["Åsa Ekström"])
        XCTAssertEqual(TextSearch.pattern("ab"), "%ab%")
    }
}
