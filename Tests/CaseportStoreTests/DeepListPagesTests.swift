import CaseportCore
@testable import CaseportStore
import Foundation
import SQLKit
import XCTest

/// Issue 17, session 22: a list page deeper than PostgreSQL's first-cases form (`postgresFirstPays`: the first
/// 500 cases) is read by merging the rule's disjoint branches (`VisibleCases.postgresMergePays`), as SQLite
/// reads every unfiltered page. The small lists of `RandomGraphAccessTests` never reach that depth; here every
/// page of a list of over 1 100 cases, asked as the list asks (with its total, so pages past the middle are
/// read from the end) and without a total, is the slice of the whole list in order — through all three
/// branches of the rule, with ties in last activity broken by id, unfiltered and with a status filter, and in
/// every order of the list.
final class DeepListPagesTests: StoreTestCase {
    func testEveryPageOfALongListIsTheSliceOfTheWholeList() async throws {
        let own = try await make.customer("1"), neighbour = try await make.customer("2"), third = try await make.customer("3")
        let house = try await make.object(of: own, "Huset")
        let berit = try await make.contact("Berit", customers: [third])
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        for index in 0..<1_080 {
            // Two cases share each minute: the id decides their order.
            try await make.case("Ärende \(index % 40)", customer: own, object: index % 3 == 0 ? house : nil,
                                status: index % 4 == 0 ? .closed : .new, createdAt: start + Double(index / 2) * 60)
        }
        for index in 0..<30 {  // another customer's cases on the viewer's customer's object
            try await make.case("Grannens \(index)", customer: neighbour, object: house, createdAt: start + Double(index) * 1_777)
        }
        for index in 0..<5 {  // linked to the viewer's contact
            try await make.case("Länkat \(index)", customer: third, contacts: [berit], createdAt: start + Double(index) * 9_001)
        }
        let viewer = CaseVisibility(customerIds: [own.id!], objectIds: [], objectOwnerIds: [own.id!], contactId: berit.id!)
        let sql = try db.requireSQL()
        let visible = VisibleCases(database: db)
        var closed = CaseFilter()
        closed.status = .closed
        // Every order of the list too: by number and subject PostgreSQL reads the first 500 cases along M050's
        // indexes (session 23); subjects repeat (`Ärende 7` 27 times), so ties are broken by id.
        var filters = [CaseFilter(), closed]
        for key in [CaseSort.Key.created, .number, .subject] {
            for direction in CaseSort.Direction.allCases {
                var sorted = CaseFilter()
                sorted.sort = CaseSort(key: key, direction: direction)
                filters.append(sorted)
            }
        }
        var closedBySubject = closed
        closedBySubject.sort = CaseSort(key: .subject, direction: .descending)
        filters.append(closedBySubject)
        for filter in filters {
            let condition = visible.whereClause(viewer, filter, dialect: sql.dialect.name)
            let whole = try await sql.raw("""
                SELECT c.id FROM cases c WHERE \(condition) ORDER BY \(CaseSortSQL.orderBy(filter.sort))
                """).all().map { try $0.decode(column: "id", as: Int.self) }
            XCTAssertEqual(whole.count, filter.status == nil ? 1_115 : 270)
            let counted = try await visible.count(for: viewer, filter: filter)
            XCTAssertEqual(counted, whole.count)
            for offset in stride(from: 0, to: whole.count, by: 25) {
                let slice = Array(whole[offset..<min(offset + 25, whole.count)])
                let asked = try await visible.page(for: viewer, filter: filter, offset: offset, limit: 25).map(\.id)
                let withTotal = try await visible.page(for: viewer, filter: filter, offset: offset, limit: 25,
                                                       total: whole.count).map(\.id)
                let described = "\(filter.status == nil ? "all" : "closed"), \(filter.sort.key) \(filter.sort.direction)"
                XCTAssertEqual(asked, slice, "offset \(offset), \(described)")
                XCTAssertEqual(withTotal, slice, "offset \(offset) with the total, \(described)")
            }
        }
    }

    /// PostgreSQL (session 24): the first pages of a view are one statement text, whatever the page
    /// (`postgresFirstVisible` binds its offset and per-key limit), and their rows another
    /// (`rows(ids:)`), so that PostgreSQL keeps their plans instead of planning every page anew. Once the
    /// first page's statements are named, the next pages need no new name.
    func testEveryFirstPageOfAViewIsTheSameStatementOnPostgreSQL() async throws {
        guard try db.requireSQL().dialect.name == "postgresql", PreparedStatementNames.shared.isEnabled else { return }
        let own = try await make.customer("1")
        let house = try await make.object(of: own, "Huset")
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        for index in 0..<260 {
            try await make.case("Ärende \(index)", customer: own, object: index % 2 == 0 ? house : nil,
                                createdAt: start + Double(index) * 60)
        }
        let viewer = CaseVisibility(customerIds: [own.id!], objectIds: [], objectOwnerIds: [own.id!], contactId: nil)
        let visible = VisibleCases(database: db)
        let first = try await visible.page(for: viewer, offset: 0, limit: 25).map(\.id)
        XCTAssertEqual(first.count, 25)
        let named = PreparedStatementNames.shared.issued
        var seen = Set(first)
        for page in 1..<10 {
            let ids = try await visible.page(for: viewer, offset: page * 25, limit: 25).map(\.id)
            XCTAssertEqual(ids.count, 25)
            XCTAssertTrue(seen.isDisjoint(with: ids), "page \(page + 1) repeats no case")
            seen.formUnion(ids)
        }
        XCTAssertEqual(PreparedStatementNames.shared.issued, named, "pages 2–10 are the first page's statements")
    }

    /// A page's rows are read by the ids an earlier statement chose under the rule (on PostgreSQL a statement
    /// of their own, session 24); the rule is tested again on them, so a case that is not, or no longer, the
    /// viewer's is left out even when its id is asked for.
    func testRowsByIdLeaveOutACaseOutsideTheRule() async throws {
        let own = try await make.customer("1"), other = try await make.customer("2")
        let mine = try await make.case("Mitt", customer: own)
        let theirs = try await make.case("Deras", customer: other)
        let viewer = CaseVisibility(customerIds: [own.id!], objectIds: [], objectOwnerIds: [], contactId: nil)
        let rows = try await VisibleCases(database: db).rows(ids: [mine.id!, theirs.id!], visibility: viewer, sort: CaseSort(),
                                                            reader: CaseReader(userId: -1, since: .distantFuture))
        XCTAssertEqual(rows.rows.map(\.id), [mine.id!])
    }
}
