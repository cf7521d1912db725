import CaseportCore
import CaseportStore
import FluentKit
import SQLKit
import XCTest

/// `NewCaseChoices`: what the portal's new-case form offers, read as plain SQL — the active case types
/// with their active fields and the active categories, each in its sort order, and the viewer's
/// customers and objects exactly as `Reach.of` finds them.
final class NewCaseChoicesTests: StoreTestCase {
    func testTheCatalogueHasTheActiveTypesFieldsAndCategoriesInTheirOrder() async throws {
        let second = CaseTypeRecord(name: "Andra", description: "Om andra", isBillable: true, sortOrder: 2)
        let first = CaseTypeRecord(name: "Första", sortOrder: 1)
        let retired = CaseTypeRecord(name: "Gammal", sortOrder: 0)
        retired.isActive = false
        for type in [second, first, retired] { try await type.create(on: db) }
        let date = CaseTypeFieldRecord(caseTypeId: second.id!, label: "Datum", kind: .date, isRequired: true, sortOrder: 2)
        let choice = CaseTypeFieldRecord(caseTypeId: second.id!, label: "Val", kind: .choice, choices: ["Ja tack", "Nej"], sortOrder: 1)
        let asked = CaseTypeFieldRecord(caseTypeId: second.id!, label: "Inte längre", kind: .text, sortOrder: 0)
        asked.isActive = false
        let ofRetired = CaseTypeFieldRecord(caseTypeId: retired.id!, label: "Av gammal", kind: .number)
        for field in [date, choice, asked, ofRetired] { try await field.create(on: db) }
        let vvs = CategoryRecord(name: "VVS", sortOrder: 2), el = CategoryRecord(name: "El", sortOrder: 1)
        let old = CategoryRecord(name: "Gammal kategori", sortOrder: 0)
        old.isActive = false
        for category in [vvs, el, old] { try await category.create(on: db) }

        let catalogue = try await NewCaseChoices.Catalogue.load(on: db)
        XCTAssertEqual(catalogue.types, [NewCaseChoices.CaseType(id: first.id!, name: "Första"),
                                         NewCaseChoices.CaseType(id: second.id!, name: "Andra", description: "Om andra", isBillable: true)])
        XCTAssertEqual(catalogue.fields[second.id!], [
            NewCaseChoices.Field(id: choice.id!, label: "Val", kind: .choice, choiceList: ["Ja tack", "Nej"]),
            NewCaseChoices.Field(id: date.id!, label: "Datum", kind: .date, isRequired: true),
        ], "active fields only, by sort order, with their choices")
        XCTAssertNil(catalogue.fields[first.id!], "a type without fields")
        XCTAssertNil(catalogue.fields[retired.id!], "an inactive type's fields are not offered")
        XCTAssertNil(catalogue.type(retired.id), "an inactive type cannot be chosen")
        XCTAssertEqual(catalogue.type(second.id)?.name, "Andra")
        XCTAssertEqual(catalogue.categories, [NewCaseChoices.Named(id: el.id!, name: "El"), NewCaseChoices.Named(id: vvs.id!, name: "VVS")])
    }

    func testAnEmptyCatalogue() async throws {
        let catalogue = try await NewCaseChoices.Catalogue.load(on: db)
        XCTAssertEqual(catalogue, NewCaseChoices.Catalogue())
    }

    /// The reach read in one statement is `Reach.of`'s: the same customers and objects, in the same order,
    /// with the object's owner and active flag — for a customer link, an object link, both, and an
    /// object owner's other objects left out.
    func testTheReachIsTheSameAsReachOf() async throws {
        let a = try await make.customer("1", name: "Alfa"), b = try await make.customer("2", name: "Beta")
        let c = try await make.customer("3", name: "Cesar")
        _ = try await make.customer("4", name: "Delta")
        let a2 = try await make.object(of: a, "A2"), a1 = try await make.object(of: a, "A1")
        let b1 = try await make.object(of: b, "B1")
        _ = try await make.object(of: b, "B2")
        let c1 = try await make.object(of: c, "C1")
        a2.isActive = false
        try await a2.save(on: db)

        let visibilities = [
            CaseVisibility(customerIds: [a.id!]),
            CaseVisibility(objectIds: [b1.id!]),
            CaseVisibility(customerIds: [a.id!], objectIds: [b1.id!, c1.id!]),
            CaseVisibility(objectIds: [b1.id!], objectOwnerIds: [b.id!]),
            CaseVisibility(customerIds: [c.id!, b.id!], contactId: 7),
        ]
        for visibility in visibilities {
            let reach = try await NewCaseChoices.Reach.of(visibility, on: db)
            let fluent = try await Reach.of(visibility, on: db)
            XCTAssertEqual(reach.customers, fluent.customers.map { NewCaseChoices.Named(id: $0.id!, name: $0.name) }, "\(visibility)")
            XCTAssertEqual(reach.objects, fluent.objects.map {
                NewCaseChoices.Object(id: $0.id!, customerId: $0.customerId, name: $0.name, address: $0.address, isActive: $0.isActive)
            }, "\(visibility)")
        }
        let both = try await NewCaseChoices.Reach.of(CaseVisibility(customerIds: [a.id!], objectIds: [b1.id!]), on: db)
        XCTAssertEqual(both.customers.map(\.name), ["Alfa", "Beta"])
        XCTAssertEqual(both.objects.map(\.name), ["A1", "A2", "B1"], "by name, the inactive one too (the form decides)")
        XCTAssertEqual(both.objects.map(\.id), [a1.id!, a2.id!, b1.id!])
        XCTAssertEqual(both.objects[1].isActive, false)
    }

    func testAViewerWhoSeesNothingReachesNothing() async throws {
        let a = try await make.customer("1")
        _ = try await make.object(of: a, "A1")
        let reach = try await NewCaseChoices.Reach.of(CaseVisibility(), on: db)
        XCTAssertEqual(reach, NewCaseChoices.Reach())
    }

    /// The web keeps the catalogue at the change stamp: each of its tables must raise it.
    func testTypesFieldsAndCategoriesRaiseTheChangeStamp() async throws {
        let type = CaseTypeRecord(name: "Typ")
        try await type.create(on: db)
        var stamp = try await ChangeStamp.current(on: db)
        let sql = try XCTUnwrap(db as? any SQLDatabase)
        for statement in ["UPDATE case_types SET is_active = \(sql.dialect.name == "sqlite" ? "0" : "false")",
                          "INSERT INTO case_type_fields (case_type_id, label, kind, is_required, choices, sort_order, is_active) "
                              + "VALUES (\(type.id!), 'Fält', 'text', \(sql.dialect.name == "sqlite" ? "0, '', 0, 1" : "false, '', 0, true"))",
                          "UPDATE case_type_fields SET label = 'Annat'",
                          "INSERT INTO categories (name, sort_order, is_active) VALUES ('Ny', 0, \(sql.dialect.name == "sqlite" ? "1" : "true"))",
                          "UPDATE categories SET is_active = \(sql.dialect.name == "sqlite" ? "0" : "false")"] {
            try await sql.raw(SQLQueryString(statement)).run()
            let after = try await ChangeStamp.current(on: db)
            XCTAssertGreaterThan(after, stamp, statement)
            stamp = after
        }
    }
}
