import CaseportCore
import FluentKit
import Foundation

/// Issue 13 (point 11): the demo's claims customer — an insurer — with a water-damage case that is a
/// claim: policyholder and contact person, a handler with a mobile, tasks (a main inspection with
/// media, repairs), events of many kinds, a shared inspection report, messages and a budget. The
/// benchmark seeds the same case scaled up (`Scale`). Rows are written directly, as the back office
/// would leave them; events through `CaseEvents.append`.
public enum DemoClaims {
    public static let insurerNumber = "2001"

    /// How much a seeded claim holds (the demo's is small; the benchmark's has 500 events, 50 tasks
    /// and 100 documents).
    public struct Scale: Sendable {
        public var events: Int
        public var tasks: Int
        public var documents: Int
        public init(events: Int, tasks: Int, documents: Int) {
            self.events = events
            self.tasks = tasks
            self.documents = documents
        }
        public static let demo = Scale(events: 0, tasks: 0, documents: 0)
    }

    public struct Seeded: Sendable {
        public var caseId: Int
        public var number: Int
        public var policyholderId: Int
        public var contactPersonId: Int
    }

    /// Adds the insurer and its claim once; nil when the insurer was already there.
    @discardableResult
    public static func load(on database: any Database, storage: (any FileStorage)?, now: Date = Date()) async throws -> Seeded? {
        if try await CustomerRecord.query(on: database).filter(\.$customerNumber == insurerNumber).first() != nil { return nil }
        return try await database.transaction { db in
            try await seed(on: db, storage: storage, now: now, customerNumber: insurerNumber, scale: .demo)
        }
    }

    /// The insurer (customer `customerNumber`) and one claim; `scale` adds that many more events,
    /// tasks and shared documents (the benchmark's case).
    public static func seed(on db: any Database, storage: (any FileStorage)?, now: Date, customerNumber: String,
                            scale: Scale) async throws -> Seeded {
        let insurer = CustomerRecord(name: "Tryg Forsikring", shortCode: "tryg\(customerNumber)", customerNumber: customerNumber)
        try await insurer.create(on: db)
        let handler = try await handlerWithMobile(on: db)
        let bente = ContactRecord(firstName: "Bente", lastName: "Larsen", email: "bente@example.dk", phone: "+45 11 11 11 11")
        let ole = ContactRecord(firstName: "Ole", lastName: "Larsen", email: "ole@example.dk", phone: "+45 22 22 22 22")
        try await bente.create(on: db)
        try await ole.create(on: db)
        let inspectors = SupplierRecord(name: "Skadeservice København", email: "booking@skadeservice.example", phone: "+45 70 10 20 30")
        let carpenters = SupplierRecord(name: "Easyfix - København", email: "ordre@easyfix.example", phone: "+45 70 40 50 60")
        try await inspectors.create(on: db)
        try await carpenters.create(on: db)

        let created = now.addingTimeInterval(-12 * 86_400)
        var new = NewCase(subject: "Vandskade i køkken og gang", description: "Utæt vandrør under køkkenvasken; gulvet i køkken og gang er vådt.",
                          createdByName: handler.name, origin: .backOffice)
        new.customerId = insurer.id
        new.primaryContactId = bente.id
        new.otherContactIds = [try ole.requireID()]
        new.workSiteAddress = "Irlandsvej 80, 2300 København S"
        new.handlerId = handler.id
        new.status = .open
        new.createdAt = created
        let record = try await CaseCreation.create(new, on: db)
        let caseId = try record.requireID()
        for link in try await CaseContactLink.query(on: db).filter(\.$caseId == caseId).all() {
            link.role = link.contactId == bente.id ? "policyholder" : "contact_person"
            try await link.update(on: db)
        }

        let details = ClaimDetailsRecord()
        details.id = caseId
        details.incidentAt = created.addingTimeInterval(-86_400 - 3_600 * 5)
        details.damageType = "Vandskade"
        details.policyholderType = ClaimCustomerType.privateCustomer.rawValue
        details.projectManagerName = "Pia Sørensen"
        details.projectManagerPhone = "+45 33 33 33 33"
        details.projectOfficeId = carpenters.id
        details.expertName = "Rie Nielsen"
        details.expertPhone = "+45 44 44 44 44"
        details.appointmentAt = now.addingTimeInterval(2 * 86_400)
        details.decision = CompensationDecision.positive.rawValue
        details.decisionAt = created.addingTimeInterval(4 * 86_400)
        details.firstInspectionAt = created.addingTimeInterval(3_600)
        details.positiveDecisionAt = details.decisionAt
        // The demo shows every tab: the budget from the positive decision (the deployment's default is never).
        var overrides = ClaimPageOverrides()
        overrides.budget = .positiveDecision
        overrides.feedFilter = Set(ClaimFeedEntry.allCases)
        overrides.moreInformation = "Spørgsmål om linket eller koden? Ring til Tryg på 70 11 20 20 (hverdage 8–16)."
        details.pageSettings = String(decoding: try JSONEncoder().encode(overrides), as: UTF8.self)
        try await details.create(on: db)

        // Tasks: the main inspection (done, with photos), the repairs coming up.
        func task(_ kind: ClaimTaskKind, _ title: String, state: ClaimTaskState, supplier: SupplierRecord?, responsible: String?,
                  phone: String?, starts: Date?, ends: Date?, description: String) async throws -> ClaimTaskRecord {
            let task = ClaimTaskRecord()
            task.caseId = caseId
            task.kind = kind.rawValue
            task.title = title
            task.state = state.rawValue
            task.supplierId = supplier?.id
            task.responsibleName = responsible
            task.responsiblePhone = phone
            task.startsAt = starts
            task.endsAt = ends
            task.description = description
            task.awaitingSupplier = false
            task.createdAt = created
            task.updatedAt = created
            try await task.create(on: db)
            return task
        }
        let inspection = try await task(.mainInspection, "Vandskade besigtigelse", state: .finished, supplier: inspectors,
                                        responsible: "Rie Nielsen", phone: "+45 44 44 44 44",
                                        starts: created.addingTimeInterval(86_400), ends: created.addingTimeInterval(86_400 + 7_200),
                                        description: "Besigtigelse af køkken og gang; fugtmåling i gulv og vægge.")
        let drying = try await task(.other, "Affugtning", state: .started, supplier: inspectors, responsible: "Jonas Holm",
                                    phone: "+45 55 55 55 55", starts: created.addingTimeInterval(2 * 86_400),
                                    ends: now.addingTimeInterval(3 * 86_400), description: "Affugter opstillet i køkkenet; tømmes hver anden dag.")
        let carpentry = try await task(.repair, "Tømrerarbejde", state: .planned, supplier: carpenters, responsible: "Rie Service",
                                       phone: "+45 66 66 66 66", starts: now.addingTimeInterval(5 * 86_400),
                                       ends: now.addingTimeInterval(9 * 86_400), description: "Nyt gulv i køkken og gang; nye sokler.")
        let sewer = try await task(.repair, "Kloakarbejde", state: .planned, supplier: nil, responsible: nil, phone: nil,
                                   starts: nil, ends: nil, description: "")
        var tasks = [inspection, drying, carpentry, sewer]
        for index in 0..<scale.tasks {
            tasks.append(try await task(index % 3 == 0 ? .other : .repair, "Opgave \(index + 1)", state: index % 2 == 0 ? .planned : .started,
                                        supplier: index % 2 == 0 ? carpenters : inspectors, responsible: "Ansvarlig \(index + 1)",
                                        phone: "+45 70 00 \(String(format: "%02d", index % 100)) 00",
                                        starts: now.addingTimeInterval(Double(index) * 3_600), ends: now.addingTimeInterval(Double(index) * 3_600 + 7_200),
                                        description: "Beskrivelse af opgave \(index + 1)."))
        }

        // Files: the inspection's photos (task media: never shown), a photo of the repair plan (marked),
        // the shared inspection report, and an unshared internal estimate.
        func file(_ name: String, title: String?, category: CaseDocumentCategory?, shared: Bool, taskId: Int?, text: String,
                  at: Date) async throws {
            let row = StoredFileRecord()
            row.caseId = caseId
            row.storageKey = storage?.newKey() ?? String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())
            row.originalName = name
            row.contentType = "application/octet-stream"
            let bytes = Array(text.utf8)
            row.byteSize = bytes.count
            row.uploaderName = handler.name
            row.uploadedByStaffId = handler.id
            row.createdAt = at
            row.category = category?.rawValue
            row.title = title
            row.isShared = shared
            row.sharedAt = shared ? at : nil
            row.taskId = taskId
            if let storage { try await storage.put(key: row.storageKey, bytes: bytes) }
            try await row.create(on: db)
        }
        try await file("besigtigelse-foto-1.jpg", title: nil, category: .photo, shared: true, taskId: inspection.id,
                       text: "foto", at: created.addingTimeInterval(86_400 + 3_600))
        try await file("tegning-gulv.txt", title: "Plan for nyt gulv", category: .other, shared: true, taskId: carpentry.id,
                       text: "Gulvplan", at: created.addingTimeInterval(5 * 86_400))
        try await file("Besigtigelsesrapport-Demosag.txt", title: "Vandskade besigtigelse – rapport", category: .inspectionReport,
                       shared: true, taskId: nil, text: "Besigtigelsesrapport: fugt i gulv og vægge i køkken og gang.",
                       at: created.addingTimeInterval(2 * 86_400))
        try await file("Overslag-intern.txt", title: "Internt overslag", category: .other, shared: false, taskId: nil,
                       text: "Internt overslag.", at: created.addingTimeInterval(3 * 86_400))
        for index in 0..<scale.documents {
            try await file("dokument-\(index + 1).txt", title: "Dokument \(index + 1)", category: index % 4 == 0 ? .photo : .other,
                           shared: index % 5 != 0, taskId: nil, text: "Dokument \(index + 1)", at: created.addingTimeInterval(Double(index) * 60))
        }

        // Budget lines.
        var budget: [BudgetLineRecord] = []
        for (position, line) in [("Affugtning, 14 dage", 14_000, 45_000), ("Nyt gulv, køkken og gang (m²)", 22_500, 89_500),
                                 ("Sokler og maling", 1_000, 640_000)].enumerated() {
            let row = BudgetLineRecord()
            row.caseId = caseId
            row.position = position
            row.description = line.0
            row.quantityMilli = line.1
            row.unitPriceMinor = line.2
            row.amountMinor = Int((Double(line.1) * Double(line.2) / 1_000).rounded())
            row.createdAt = created
            try await row.create(on: db)
            budget.append(row)
        }

        // Messages and events, oldest first.
        let staffActor = EventActor(staffId: handler.id, name: handler.name)
        var at = created
        func event(_ e: CaseEvent, audience: EventAudience? = nil, after seconds: Double = 3_600) async throws {
            at = at.addingTimeInterval(seconds)
            try await CaseEvents.append(e, caseId: caseId, by: staffActor, at: at, audience: audience, on: db)
        }
        try await event(.created(channel: .backOffice), after: 0)
        try await event(.taskAdded(task: try inspection.requireID(), kind: .mainInspection, title: inspection.title))
        try await event(.taskOfficeChanged(task: try inspection.requireID(), kind: .mainInspection, title: inspection.title, office: inspectors.name))
        try await event(.expertAssigned(name: "Rie Nielsen"))
        try await event(.callLogged(caller: handler.name, callee: "Bente Larsen", answered: false, seconds: 0))
        try await event(.callLogged(caller: handler.name, callee: "Bente Larsen", answered: true, seconds: 260), after: 1_800)
        try await event(.appointmentChanged(at: created.addingTimeInterval(86_400)))
        try await event(.internalNote, after: 600)
        try await event(.taskStarted(task: try inspection.requireID(), kind: .mainInspection, title: inspection.title), after: 80_000)
        try await event(.taskFinished(task: try inspection.requireID(), kind: .mainInspection, title: inspection.title), after: 7_200)
        try await event(.documentShared(name: "Vandskade besigtigelse – rapport"), after: 80_000)
        try await event(.taskAdded(task: try drying.requireID(), kind: .other, title: drying.title))
        try await event(.taskStarted(task: try drying.requireID(), kind: .other, title: drying.title))
        try await event(.compensationDecided(.positive), after: 150_000)
        // The budget drawn up after the decision (its lines are above; the timeline names each).
        for line in budget {
            try await event(.budgetLineAdded(description: line.description, amount: Money(minor: line.amountMinor).plain), after: 600)
        }
        try await event(.projectManagerChanged(name: "Pia Sørensen"))
        try await event(.projectManagerOfficeChanged(office: carpenters.name))
        try await event(.taskAdded(task: try carpentry.requireID(), kind: .repair, title: carpentry.title))
        try await event(.taskOfficeChanged(task: try carpentry.requireID(), kind: .repair, title: carpentry.title, office: carpenters.name))
        try await event(.taskResponsibleChanged(task: try carpentry.requireID(), title: carpentry.title, name: "Rie Service"))
        try await event(.taskScheduleChanged(task: try carpentry.requireID(), title: carpentry.title, starts: carpentry.startsAt, ends: carpentry.endsAt))
        try await event(.taskAdded(task: try sewer.requireID(), kind: .repair, title: sewer.title))
        try await event(.appointmentChanged(at: details.appointmentAt))
        let staffAuthor = CaseConversation.Author(kind: .staff, staffId: handler.id, name: handler.name)
        _ = try await CaseConversation.insert(caseId: caseId, author: staffAuthor,
                                              body: "Hej Bente. Affugteren står i køkkenet de næste to uger. Ring, hvis den larmer om natten.",
                                              isInternal: false, at: at.addingTimeInterval(60), on: db)
        try await event(.staffMessage, after: 60)
        _ = try await CaseConversation.insert(caseId: caseId, author: .init(kind: .customer, name: "Bente Larsen (bente@example.dk)"),
                                              body: "Tak! Kan tømreren komme om formiddagen?", isInternal: false,
                                              at: at.addingTimeInterval(3_600), on: db)
        try await event(.customerMessage, after: 3_600)
        _ = try await CaseConversation.insert(caseId: caseId, author: staffAuthor, body: "Internt: kunden vil have formiddag.",
                                              isInternal: true, at: at.addingTimeInterval(60), on: db)
        try await event(.internalNote, after: 60)
        // The scaled case: more events of the feed's kinds, a sixth of them internal.
        let kinds: [CaseEvent] = [.callLogged(caller: handler.name, callee: "Bente Larsen", answered: true, seconds: 120),
                                  .taskScheduleChanged(task: try carpentry.requireID(), title: carpentry.title, starts: now, ends: nil),
                                  .documentShared(name: "Dokument"), .staffMessage, .taskAdded(task: try sewer.requireID(), kind: .repair, title: "Opgave"),
                                  .internalNote]
        for index in 0..<scale.events {
            try await event(kinds[index % kinds.count], after: 60)
        }
        _ = inspection
        return Seeded(caseId: caseId, number: record.number, policyholderId: try bente.requireID(), contactPersonId: try ole.requireID())
    }

    /// The demo's handler (Henrik) with a mobile, or a new handler when there is none.
    static func handlerWithMobile(on db: any Database) async throws -> StaffUserRecord {
        if let henrik = try await StaffUserRecord.query(on: db).filter(\.$email == "handler@example.com").first() {
            if henrik.mobile == nil {
                henrik.mobile = "+46 70 111 22 33"
                try await henrik.update(on: db)
            }
            return henrik
        }
        let handler = StaffUserRecord(email: "claims-handler@example.com", name: "Rie Nielsen", role: .handler, passwordHash: "!")
        handler.mobile = "+45 11 11 11 11"
        try await handler.create(on: db)
        return handler
    }
}
