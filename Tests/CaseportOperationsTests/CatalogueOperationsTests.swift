import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Categories, priorities, case types and their fields (D5) below HTTP, on both databases.
final class CatalogueOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: SettingsWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await SettingsWorld.build(on: harness.database)
    }

    override func tearDown() async throws { await harness.shutdown() }

    func save(_ kind: CatalogueKind, id: Int? = nil, name: String, order: String = "",
              active: Bool = true) async throws -> Outcome<SaveCatalogueEntry.Saved, SaveCatalogueEntry.Field> {
        try await SaveCatalogueEntry.run(.init(kind: kind, entryId: id, name: name, order: order, isActive: active),
                                         by: world.admin, in: world.context)
    }

    // MARK: Categories and priorities

    func testANewCategoryGoesLastUnlessGivenAnOrderAndIsAudited() async throws {
        try await CategoryRecord(name: "VVS", sortOrder: 7).create(on: world.db)
        let saved = try unwrap(try await save(.categories, name: "  Tak  "))
        XCTAssertTrue(saved.created)
        let tak = try await CategoryRecord.find(saved.entryId, on: world.db)
        XCTAssertEqual(tak?.name, "Tak")
        XCTAssertEqual(tak?.sortOrder, 8, "after the last one")
        XCTAssertEqual(tak?.isActive, true)
        let first = try unwrap(try await save(.priorities, name: "Akut", order: "-3"))
        let akut = try await PriorityRecord.find(first.entryId, on: world.db)
        XCTAssertEqual(akut?.rank, -3)
        let lines = try await world.audit(.settingsChanged)
        XCTAssertEqual(lines, ["categories | categories added: – → Tak", "priorities | priorities added: – → Akut"])
        let byAdmin = try await world.auditIsByAdmin(.settingsChanged)
        XCTAssertTrue(byAdmin)
    }

    func testNamesAndOrdersAreCheckedAndProblemsWriteNothing() async throws {
        try await CategoryRecord(name: "VVS", sortOrder: 1).create(on: world.db)
        let empty = try await save(.categories, name: " ", order: "först").problems
        XCTAssertEqual(empty?[.name], ProblemKey.required)
        XCTAssertEqual(empty?[.order], "settings_error_order")
        let long = try await save(.categories, name: String(repeating: "x", count: 101)).problems
        XCTAssertEqual(long?[.name], ProblemKey.tooLong)
        let taken = try await save(.categories, name: "vvs").problems
        XCTAssertEqual(taken?[.name], "settings_error_name_taken", "names are unique whatever the case")
        let outOfRange = try await save(.categories, name: "Tak", order: "100000").problems
        XCTAssertEqual(outOfRange?[.order], "settings_error_order")
        let priority = try await save(.priorities, name: "vvs").value
        XCTAssertNotNil(priority, "each list has its own names")
        let categories = try await CategoryRecord.query(on: world.db).count()
        XCTAssertEqual(categories, 1)
        let lines = try await world.audit(.settingsChanged)
        XCTAssertEqual(lines, ["priorities | priorities added: – → vvs"])
    }

    func testAnEditRenamesReordersAndDeactivatesWithALinePerChange() async throws {
        let priority = PriorityRecord(name: "Normal", rank: 2)
        try await priority.create(on: world.db)
        let id = try priority.requireID()
        let kept = try await save(.priorities, id: id, name: "Normal", order: "", active: true).value
        XCTAssertEqual(kept?.entryId, id)
        XCTAssertEqual(kept?.created, false)
        let unchanged = try await world.audit(.settingsChanged)
        XCTAssertEqual(unchanged, [], "an empty order keeps the place; nothing changed, nothing audited")
        _ = try await save(.priorities, id: id, name: "Brådskande", order: "0", active: false)
        let record = try await PriorityRecord.find(id, on: world.db)
        XCTAssertEqual(record?.name, "Brådskande")
        XCTAssertEqual(record?.rank, 0)
        XCTAssertEqual(record?.isActive, false)
        let lines = try await world.audit(.settingsChanged)
        XCTAssertEqual(lines, ["priorities | priority \(id) name: Normal → Brådskande", "priorities | priority \(id) order: 2 → 0",
                               "priorities | priority \(id) active: yes → no"])
        let renamedToItself = try await save(.priorities, id: id, name: "BRÅDSKANDE", order: "0", active: false).value
        XCTAssertNotNil(renamedToItself, "its own name is not taken")
        let missing = await operationError { _ = try await self.save(.categories, id: 9_999, name: "Nytt") }
        XCTAssertEqual(missing, .notFound)
    }

    func testAnUnusedEntryIsDeletedAndAUsedOneDeactivatedInstead() async throws {
        let unused = CategoryRecord(name: "Tak", sortOrder: 1), used = CategoryRecord(name: "VVS", sortOrder: 2)
        try await unused.create(on: world.db)
        try await used.create(on: world.db)
        world.world.caseA.categoryId = used.id
        try await world.world.caseA.update(on: world.db)
        let deleted = try await RemoveCatalogueEntry.run(.init(kind: .categories, entryId: try unused.requireID()),
                                                         by: world.admin, in: world.context)
        XCTAssertEqual(deleted.value, .deleted)
        let gone = try await CategoryRecord.find(unused.id, on: world.db)
        XCTAssertNil(gone)
        let deactivated = try await RemoveCatalogueEntry.run(.init(kind: .categories, entryId: try used.requireID()),
                                                             by: world.admin, in: world.context)
        XCTAssertEqual(deactivated.value, .deactivated)
        let kept = try await CategoryRecord.find(used.id, on: world.db)
        XCTAssertEqual(kept?.isActive, false, "the case keeps its category")
        let priority = PriorityRecord(name: "Låg", rank: 1)
        try await priority.create(on: world.db)
        _ = try await RemoveCatalogueEntry.run(.init(kind: .priorities, entryId: try priority.requireID()), by: world.admin, in: world.context)
        let lines = try await world.audit(.settingsChanged)
        XCTAssertEqual(lines, ["categories | category deleted: Tak → –", "categories | category deactivated: VVS → –",
                               "priorities | priority deleted: Låg → –"])
        let missing = await operationError {
            _ = try await RemoveCatalogueEntry.run(.init(kind: .priorities, entryId: 9_999), by: self.world.admin, in: self.world.context)
        }
        XCTAssertEqual(missing, .notFound)
    }

    // MARK: Case types and fields

    func type(_ name: String, id: Int? = nil, description: String = "", order: String = "", billable: Bool = false,
              active: Bool = true) async throws -> Outcome<SaveCaseType.Saved, SaveCaseType.Field> {
        try await SaveCaseType.run(.init(typeId: id, name: name, description: description, order: order, isBillable: billable,
                                         isActive: active), by: world.admin, in: world.context)
    }

    func field(_ typeId: Int, id: Int? = nil, label: String, kind: String = "text", required: Bool = false, choices: String = "",
               order: String = "", active: Bool = true) async throws -> Outcome<SaveCaseTypeField.Saved, SaveCaseTypeField.Field> {
        try await SaveCaseTypeField.run(.init(typeId: typeId, fieldId: id, label: label, kind: kind, isRequired: required,
                                              choices: choices, order: order, isActive: active), by: world.admin, in: world.context)
    }

    func testACaseTypeIsAddedEditedAndAudited() async throws {
        let created = try unwrap(try await type(" Skadedjur ", description: "Råttor", billable: true))
        XCTAssertTrue(created.created)
        let id = created.typeId
        let record = try await CaseTypeRecord.find(id, on: world.db)
        XCTAssertEqual(record?.name, "Skadedjur")
        XCTAssertEqual(record?.isBillable, true)
        XCTAssertEqual(record?.sortOrder, 1)
        _ = try await type("Skadedjur", id: id, description: "Råttor, möss", order: "5", billable: false, active: false)
        let edited = try await CaseTypeRecord.find(id, on: world.db)
        XCTAssertEqual(edited?.description, "Råttor, möss")
        XCTAssertEqual(edited?.isActive, false)
        XCTAssertEqual(edited?.sortOrder, 5)
        let lines = try await world.audit(.settingsChanged)
        XCTAssertEqual(lines, ["case_types | case type added: – → Skadedjur",
                               "case_types | case type \(id) description: Råttor → Råttor, möss",
                               "case_types | case type \(id) billable: yes → no", "case_types | case type \(id) active: yes → no",
                               "case_types | case type \(id) order: 1 → 5"])

        let problems = try await type("skadedjur", description: String(repeating: "x", count: 1_001), order: "x").problems
        XCTAssertEqual(problems?[.name], "settings_error_name_taken")
        XCTAssertEqual(problems?[.description], ProblemKey.tooLong)
        XCTAssertEqual(problems?[.order], "settings_error_order")
        let missing = await operationError { _ = try await self.type("Ny", id: 9_999) }
        XCTAssertEqual(missing, .notFound)
    }

    func testAFieldIsCheckedAddedAndEditedWithItsOptions() async throws {
        let typeId = try unwrap(try await type("Skadedjur")).typeId
        let noOptions = try await field(typeId, label: "Vilket djur?", kind: "choice", choices: " \n ").problems
        XCTAssertEqual(noOptions?[.choices], "settings_error_choices_needed")
        let bad = try await field(typeId, label: "", kind: "colour", order: "?").problems
        XCTAssertEqual(bad?[.label], ProblemKey.required)
        XCTAssertEqual(bad?[.kind], ProblemKey.chooseFromList)
        XCTAssertEqual(bad?[.order], "settings_error_order")
        let tooMany = try await field(typeId, label: "X", kind: "choice", choices: (0...50).map(String.init).joined(separator: "\n")).problems
        XCTAssertEqual(tooMany?[.choices], ProblemKey.tooLong)

        let first = try unwrap(try await field(typeId, label: "Vilket djur?", kind: "choice", required: true,
                                               choices: "Råtta\n\n Mus \n"))
        let second = try unwrap(try await field(typeId, label: "Antal", kind: "number", choices: "ignored"))
        let records = try await CaseTypeFieldRecord.query(on: world.db).filter(\.$caseTypeId == typeId).sort(\.$sortOrder).all()
        XCTAssertEqual(records.map(\.label), ["Vilket djur?", "Antal"])
        XCTAssertEqual(records.map(\.sortOrder), [0, 1])
        XCTAssertEqual(records[0].choiceList, ["Råtta", "Mus"])
        XCTAssertEqual(records[1].choices, "", "only a choice keeps options")
        _ = try await field(typeId, id: first.fieldId, label: "Djur", kind: "choice", required: false, choices: "Råtta\nMus\nFladdermus",
                            order: "3", active: true)
        let lines = try await world.audit(.settingsChanged)
        XCTAssertEqual(Array(lines.dropFirst()), [
            "case_types | case type \(typeId) field added: – → Vilket djur? (choice, required)",
            "case_types | case type \(typeId) field added: – → Antal (number)",
            "case_types | field \(first.fieldId) label: Vilket djur? → Djur",
            "case_types | field \(first.fieldId) required: yes → no",
            "case_types | field \(first.fieldId) options: Råtta | Mus → Råtta | Mus | Fladdermus",
            "case_types | field \(first.fieldId) order: 0 → 3",
        ])
        let otherType = try unwrap(try await type("Annat")).typeId
        let wrongType = await operationError { _ = try await self.field(otherType, id: second.fieldId, label: "Antal") }
        XCTAssertEqual(wrongType, .notFound, "a field is reached only through its own type")
    }

    func testAUsedTypeOrFieldIsDeactivatedAndAnUnusedOneDeleted() async throws {
        let typeId = try unwrap(try await type("Skadedjur")).typeId
        let asked = try unwrap(try await field(typeId, label: "Djur")).fieldId
        let unasked = try unwrap(try await field(typeId, label: "Antal")).fieldId
        try await CaseFieldValueRecord(caseId: try world.world.caseA.requireID(), fieldId: asked, label: "Djur", value: "Råtta", sortOrder: 0)
            .create(on: world.db)
        world.world.caseA.caseTypeId = typeId
        try await world.world.caseA.update(on: world.db)

        let keptField = try await RemoveCaseTypeField.run(.init(typeId: typeId, fieldId: asked), by: world.admin, in: world.context)
        XCTAssertEqual(keptField.value, .deactivated)
        let goneField = try await RemoveCaseTypeField.run(.init(typeId: typeId, fieldId: unasked), by: world.admin, in: world.context)
        XCTAssertEqual(goneField.value, .deleted)
        let fields = try await CaseTypeFieldRecord.query(on: world.db).filter(\.$caseTypeId == typeId).all()
        XCTAssertEqual(fields.map(\.label), ["Djur"])
        XCTAssertEqual(fields.first?.isActive, false)
        let keptType = try await RemoveCaseType.run(.init(typeId: typeId), by: world.admin, in: world.context)
        XCTAssertEqual(keptType.value, .deactivated)
        let stillThere = try await CaseTypeRecord.find(typeId, on: world.db)
        XCTAssertEqual(stillThere?.isActive, false)
        let unusedType = try unwrap(try await type("Tillfällig")).typeId
        let goneType = try await RemoveCaseType.run(.init(typeId: unusedType), by: world.admin, in: world.context)
        XCTAssertEqual(goneType.value, .deleted)
        let gone = try await CaseTypeRecord.find(unusedType, on: world.db)
        XCTAssertNil(gone)
        let lines = try await world.audit(.settingsChanged)
        XCTAssertEqual(Array(lines.suffix(5)), [
            "case_types | field \(asked) deactivated: Djur → –", "case_types | field \(unasked) deleted: Antal → –",
            "case_types | case type deactivated: Skadedjur → –", "case_types | case type added: – → Tillfällig",
            "case_types | case type deleted: Tillfällig → –",
        ])
    }

    // MARK: Administrators only

    func testAHandlerIsRefusedEveryCatalogueChange() async throws {
        let category = CategoryRecord(name: "Tak", sortOrder: 1)
        try await category.create(on: world.db)
        let caseType = CaseTypeRecord(name: "Skadedjur")
        try await caseType.create(on: world.db)
        let caseField = CaseTypeFieldRecord(caseTypeId: try caseType.requireID(), label: "Djur", kind: .text)
        try await caseField.create(on: world.db)
        let (handler, context) = (world.handler, world.context)
        let (categoryId, typeId, fieldId) = (try category.requireID(), try caseType.requireID(), try caseField.requireID())
        var refusals: [OperationError?] = []
        refusals.append(await operationError {
            _ = try await SaveCatalogueEntry.run(.init(kind: .categories, entryId: nil, name: "Nytt", order: "", isActive: true),
                                                 by: handler, in: context)
        })
        refusals.append(await operationError {
            _ = try await RemoveCatalogueEntry.run(.init(kind: .categories, entryId: categoryId), by: handler, in: context)
        })
        refusals.append(await operationError {
            _ = try await SaveCaseType.run(.init(typeId: typeId, name: "X", description: "", order: "", isBillable: false, isActive: true),
                                           by: handler, in: context)
        })
        refusals.append(await operationError { _ = try await RemoveCaseType.run(.init(typeId: typeId), by: handler, in: context) })
        refusals.append(await operationError {
            _ = try await SaveCaseTypeField.run(.init(typeId: typeId, fieldId: nil, label: "Y", kind: "text", isRequired: false,
                                                      choices: "", order: "", isActive: true), by: handler, in: context)
        })
        refusals.append(await operationError {
            _ = try await RemoveCaseTypeField.run(.init(typeId: typeId, fieldId: fieldId), by: handler, in: context)
        })
        XCTAssertEqual(refusals, Array(repeating: .forbidden, count: 6))
        let categories = try await CategoryRecord.query(on: world.db).count()
        let fields = try await CaseTypeFieldRecord.query(on: world.db).count()
        XCTAssertEqual([categories, fields], [1, 1])
        let lines = try await AuditEventRecord.query(on: world.db).count()
        XCTAssertEqual(lines, 0)
    }
}
