import CaseportCore
import FluentKit
import Foundation

/// The demo deployment (`caseport demo`): two customers, their objects, contacts and users, staff,
/// and cases with Swedish text. Loading it twice changes nothing: it is skipped when customer 1001 exists.
public enum DemoData {
    public static let password = "Demo1234"

    public struct Login: Sendable {
        public var organisation: String
        public var username: String
        public var what: String
    }

    public static let portalLogins: [Login] = [
        Login(organisation: "solglantan", username: "anna", what: "administrator, contact linked to customer 1001"),
        Login(organisation: "solglantan", username: "styrelsen", what: "shared account of the board, customer 1001"),
        Login(organisation: "norrsken", username: "erik", what: "contact linked to one object of customer 1002"),
        Login(organisation: "1002", username: "faktura", what: "invoice-customer login for 1002 (sees all of 1002)"),
        Login(organisation: "norrsken", username: "nordstjarnan", what: "object login for Nordstjärnan 4 (1002)"),
    ]
    public static let staffLogins = ["admin@example.com (admin)", "handler@example.com (handler)"]

    /// Returns false when the demo data was already there.
    @discardableResult
    public static func load(on database: any Database, hasher: any PasswordHashing, storage: (any FileStorage)? = nil,
                            now: Date = Date()) async throws -> Bool {
        if try await CustomerRecord.query(on: database).filter(\.$customerNumber == "1001").first() != nil {
            return false
        }
        let hash = try await hasher.hash(password)
        try await database.transaction { db in
            try await seed(on: db, passwordHash: hash, storage: storage, now: now)
            try await seedPrivacy(on: db, now: now)
            try await seedWebhook(on: db, now: now)
        }
        return true
    }

    /// E3: a retention policy to look at (the nightly run is off, so nothing goes by itself) and one
    /// closed case on legal hold.
    static func seedPrivacy(on db: any Database, now: Date) async throws {
        try await RetentionSettingsStore(database: db).save(RetentionPolicy(
            rules: [.contactDetails: .init(action: .anonymise, days: 730), .messageTexts: .init(action: .anonymise, days: 730),
                    .files: .init(action: .delete, days: 365), .chat: .init(action: .delete, days: 90)],
            contactEmail: "dataskydd@example.com", nightly: false))
        if let held = try await CaseRecord.query(on: db).filter(\.$status == .closed).sort(\.$number).first() {
            held.legalHoldReason = "Tvist om vattenskadan – spara tills den är avgjord"
            held.legalHoldBy = "Maria Admin"
            held.legalHoldAt = now.timeIntervalSince1970
            try await held.update(on: db)
        }
    }

    private static func seed(on db: any Database, passwordHash hash: String, storage: (any FileStorage)?,
                             now: Date) async throws {
        let catalogue = try await seedCatalogue(on: db)
        let solglantan = CustomerRecord(name: "Brf Solgläntan", shortCode: "solglantan", customerNumber: "1001")
        let norrsken = CustomerRecord(name: "Fastighets AB Norrsken", shortCode: "norrsken", customerNumber: "1002")
        try await solglantan.create(on: db)
        try await norrsken.create(on: db)
        let solId = try solglantan.requireID(), norId = try norrsken.requireID()

        let husA = ObjectRecord(customerId: solId, name: "Solgläntan hus A", address: "Gläntvägen 2, 412 58 Göteborg")
        let husB = ObjectRecord(customerId: solId, name: "Solgläntan hus B", address: "Gläntvägen 4, 412 58 Göteborg")
        let nordstjarnan = ObjectRecord(customerId: norId, name: "Nordstjärnan 4", address: "Polstjärnegatan 4, 417 56 Göteborg")
        let karlavagnen = ObjectRecord(customerId: norId, name: "Karlavagnen 7", address: "Stjärngatan 7, 417 57 Göteborg")
        for object in [husA, husB, nordstjarnan, karlavagnen] { try await object.create(on: db) }

        let anna = ContactRecord(firstName: "Anna", lastName: "Lindqvist", email: "anna@solglantan.example", phone: "070-123 45 67")
        let erik = ContactRecord(firstName: "Erik", lastName: "Bergström", email: "erik@norrsken.example", phone: "070-765 43 21")
        let sara = ContactRecord(firstName: "Sara", lastName: "Öberg", email: "sara@norrsken.example")
        for contact in [anna, erik, sara] { try await contact.create(on: db) }
        try await ContactCustomerLink(contactId: try anna.requireID(), customerId: solId).create(on: db)
        try await ContactObjectLink(contactId: try erik.requireID(), objectId: try nordstjarnan.requireID()).create(on: db)
        try await ContactCustomerLink(contactId: try sara.requireID(), customerId: norId).create(on: db)
        // A register contact without a login (issue 11 point 10): Anna's user list offers to give her one.
        let karin = ContactRecord(firstName: "Karin", lastName: "Holm", email: "karin@solglantan.example", phone: "070-222 33 44")
        try await karin.create(on: db)
        try await ContactObjectLink(contactId: try karin.requireID(), objectId: try husA.requireID()).create(on: db)

        let users = [
            PortalUserRecord(organisationId: solId, username: "anna", loginKind: .contact, contactId: anna.id,
                             firstName: "Anna", lastName: "Lindqvist", email: anna.email, phone: anna.phone,
                             passwordHash: hash, isAdmin: true),
            PortalUserRecord(organisationId: solId, username: "styrelsen", loginKind: .contact, contactId: anna.id,
                             firstName: "Styrelsen", lastName: "Solgläntan", passwordHash: hash, isShared: true),
            PortalUserRecord(organisationId: norId, username: "erik", loginKind: .contact, contactId: erik.id,
                             firstName: "Erik", lastName: "Bergström", email: erik.email, passwordHash: hash),
            PortalUserRecord(organisationId: norId, username: "faktura", loginKind: .invoiceCustomer,
                             firstName: "Fastighets AB", lastName: "Norrsken", passwordHash: hash),
            PortalUserRecord(organisationId: norId, username: "nordstjarnan", loginKind: .object,
                             objectId: nordstjarnan.id, firstName: "Nordstjärnan", lastName: "4", passwordHash: hash),
        ]
        for user in users { try await user.create(on: db) }
        // A8: the board's shared account has one saved person, so its forms offer a choice.
        _ = try await AccountPeople(database: db).add(userId: try users[1].requireID(), firstName: "Eva", lastName: "Ek",
                                                      email: "eva@solglantan.example", phone: nil)

        try await StaffUserRecord(email: "admin@example.com", name: "Maria Admin", role: .admin, passwordHash: hash).create(on: db)
        let henrik = StaffUserRecord(email: "handler@example.com", name: "Henrik Handläggare", role: .handler, passwordHash: hash)
        try await henrik.create(on: db)
        // Henrik is responsible for Solgläntan (M023): his inbox can show only its inquiries.
        solglantan.handlerId = try henrik.requireID()
        try await solglantan.save(on: db)

        // 64 cases over the last six months, oldest first so numbers follow dates.
        let places: [(customer: Int, object: ObjectRecord, contact: ContactRecord?)] = [
            (solId, husA, anna), (solId, husB, anna), (solId, husA, nil),
            (norId, nordstjarnan, erik), (norId, karlavagnen, sara), (norId, nordstjarnan, nil),
        ]
        let count = 64
        for index in 0..<count {
            let place = places[index % places.count]
            let text = demoTexts[index % demoTexts.count]
            // Cases without a contact, and every third case, were registered by the company.
            let byCustomer = index % 3 != 0 ? place.contact : nil
            var new = NewCase(subject: text.subject, description: text.description,
                              createdByName: byCustomer.map { "\($0.firstName) \($0.lastName)" } ?? "Henrik Handläggare",
                              origin: byCustomer == nil ? .backOffice : .portal)
            new.customerId = place.customer
            new.objectId = try place.object.requireID()
            new.primaryContactId = place.contact?.id
            new.categoryId = catalogue.categories[text.category]
            new.caseTypeId = catalogue.defaultType
            new.priorityId = catalogue.normalPriority
            new.status = index < count - 20 ? (index % 4 < 2 ? .closed : .resolved) : [.new, .open, .waitingForCustomer, .reopened][index % 4]
            // Henrik handles most of the open cases, so his queues on the staff start page have something
            // in them; every fifth waits for someone to take it.
            if !new.status.isClosed, index % 5 != 0 { new.handlerId = try henrik.requireID() }
            new.createdAt = now.addingTimeInterval(-Double(count - index) * 2.7 * 86_400)
            // B11: closed cases of all three types, so the dashboards have something to break down.
            if new.status == .closed {
                new.caseTypeId = [catalogue.defaultType, catalogue.orderType, catalogue.defaultType, catalogue.warrantyType][(index / 2) % 4]
            }
            let record = try await CaseCreation.create(new, on: db)
            if new.status == .closed {
                // Lead times from a day to about three weeks, closed before now (M025's closed_at).
                let lead = Double(1 + (index * 7) % 19) * 86_400 + Double(index % 5) * 3_600
                record.closedAt = min(new.createdAt.addingTimeInterval(lead), now.addingTimeInterval(-3_600)).timeIntervalSince1970
                try await record.update(on: db)
            }
            try await seedConversation(caseId: try record.requireID(), index: index, customerName: byCustomer.map { "\($0.firstName) \($0.lastName)" },
                                       createdAt: new.createdAt, on: db)
        }
        // A case that only its contact sees: no customer, no object.
        var personal = NewCase(subject: "Fråga om nyckelbricka", description: "Min nyckelbricka till tvättstugan fungerar inte sedan i måndags.",
                               createdByName: "Erik Bergström", origin: .portal)
        personal.primaryContactId = erik.id
        personal.createdAt = now.addingTimeInterval(-3_600)
        try await CaseCreation.create(personal, on: db)
        try await seedSettings(on: db)
        // B12: Solgläntan gets monthly reports (`caseport demo` then makes last month's).
        try await MonthlyReports(database: db).set(customerId: solId, on: true, mailWhenEmpty: true, at: now, on: db)
        // Issue 14: price list, rows, work orders and a specification waiting for Anna.
        let supplier = try await SupplierRecord.query(on: db).sort(\.$name).first()
        try await DemoMoney.seed(customerId: solId, supplierId: supplier?.id, staffId: henrik.id, now: now, on: db)
        if let storage {
            try await seedRegisterFile(name: "Ordningsregler Solgläntan.txt", customerId: solId, objectId: nil,
                                       text: "Ordningsregler för Brf Solgläntan.\nTvättstugan är öppen 07–22.", storage: storage, now: now, on: db)
            try await seedRegisterFile(name: "Energideklaration Nordstjärnan 4.txt", customerId: nil, objectId: nordstjarnan.id,
                                       text: "Energideklaration för Nordstjärnan 4, upprättad 2025.", storage: storage, now: now, on: db)
            try await seedRegisterFile(name: "Driftinstruktion Karlavagnen 7.txt", customerId: nil, objectId: karlavagnen.id,
                                       text: "Driftinstruktion för värmesystemet i Karlavagnen 7.", storage: storage, now: now, on: db)
        }
    }

    struct Catalogue {
        var categories: [String: Int] = [:]
        var defaultType: Int?
        var orderType: Int?
        var warrantyType: Int?
        var normalPriority: Int?
    }

    private static func seedCatalogue(on db: any Database) async throws -> Catalogue {
        var catalogue = Catalogue()
        let names = ["VVS", "El", "Hiss", "Fasad", "Värme", "Utemiljö", "Lås", "Skada", "Ventilation", "Garantiärende"]
        for (index, name) in names.enumerated() {
            let category = CategoryRecord(name: name, sortOrder: index)
            try await category.create(on: db)
            catalogue.categories[name] = category.id
        }
        for supplier in [SupplierRecord(name: "Rörläggarna i Väst AB", email: "order@rorlaggarna.example", phone: "031-22 33 44"),
                         SupplierRecord(name: "Elbolaget Norden", email: "jour@elbolaget.example", phone: "031-55 66 77")] {
            try await supplier.create(on: db)
        }
        for (rank, name) in ["Akut", "Hög", "Normal", "Låg"].enumerated() {
            let priority = PriorityRecord(name: name, rank: rank)
            try await priority.create(on: db)
            if name == "Normal" { catalogue.normalPriority = priority.id }
        }
        let fault = CaseTypeRecord(name: "Felanmälan", description: "Något är trasigt eller fungerar inte.", sortOrder: 0)
        let order = CaseTypeRecord(name: "Beställning", description: "Beställ ett arbete. Debiteras enligt prislista.",
                                   isBillable: true, sortOrder: 1)
        let warranty = CaseTypeRecord(name: "Reklamation", description: "Fel som omfattas av garanti.", sortOrder: 2)
        // B6: work that was ordered is "Tested OK" by the customer, not "Approved" (EC seed).
        order.approvalLabel = ApprovalLabel.testedOK.rawValue
        for type in [fault, order, warranty] { try await type.create(on: db) }
        catalogue.defaultType = fault.id
        catalogue.orderType = order.id
        catalogue.warrantyType = warranty.id
        let fields = [
            CaseTypeFieldRecord(caseTypeId: try fault.requireID(), label: "Lägenhetsnummer", kind: .text, isRequired: true, sortOrder: 0),
            CaseTypeFieldRecord(caseTypeId: try fault.requireID(), label: "Får vi gå in med huvudnyckel?", kind: .yesno, sortOrder: 1),
            CaseTypeFieldRecord(caseTypeId: try order.requireID(), label: "Önskat datum", kind: .date, isRequired: true, sortOrder: 0),
            CaseTypeFieldRecord(caseTypeId: try order.requireID(), label: "Antal", kind: .number, sortOrder: 1),
            CaseTypeFieldRecord(caseTypeId: try warranty.requireID(), label: "Upptäckt datum", kind: .date, isRequired: true, sortOrder: 0),
            CaseTypeFieldRecord(caseTypeId: try warranty.requireID(), label: "Typ av fel", kind: .choice, isRequired: true,
                                choices: ["Fukt", "El", "VVS", "Övrigt"], sortOrder: 1),
        ]
        for field in fields { try await field.create(on: db) }
        return catalogue
    }

    /// The demo shows the extra list columns category and object (the back office will make this a setting page).
    private static func seedSettings(on db: any Database) async throws {
        var settings = try await SettingsStore(database: db).load()
        settings.extraListColumns = [.category, .object]
        settings.customerMayEditCategory = true
        settings.customerMayEditPriority = true
        // D5: the approval reminder time is a setting (issue 11).
        settings.approvalReminderDays = 5
        try await SettingsStore(database: db).save(settings)
    }

    private static func seedConversation(caseId: Int, index: Int, customerName: String?, createdAt: Date,
                                         on db: any Database) async throws {
        let conversation = CaseConversation(database: db)
        let staff = CaseConversation.Author(kind: .staff, name: "Henrik Handläggare")
        let replyAt = createdAt.addingTimeInterval(3 * 3_600)
        try await conversation.add(caseId: caseId, author: staff,
                                   body: "Tack för ert ärende. Vi har tagit emot det och återkommer med en tid för besök.",
                                   at: replyAt)
        if index % 2 == 0 {
            try await conversation.add(caseId: caseId, author: staff,
                                       body: "Intern anteckning: kontrollera garantitiden med entreprenören innan besöket.",
                                       isInternal: true, at: replyAt.addingTimeInterval(60))
        }
        if let customerName, index % 3 == 1 {
            try await conversation.add(caseId: caseId, author: .init(kind: .customer, name: customerName),
                                       body: "Tack! Det går bra att komma förmiddagar. Portkoden är 1234.",
                                       at: replyAt.addingTimeInterval(3_600))
        }
    }

    private static func seedRegisterFile(name: String, customerId: Int?, objectId: Int?, text: String,
                                         storage: any FileStorage, now: Date, on db: any Database) async throws {
        let key = storage.newKey()
        try await storage.put(key: key, bytes: Array(text.utf8))
        let file = StoredFileRecord()
        file.customerId = customerId
        file.objectId = objectId
        file.storageKey = key
        file.originalName = name
        file.contentType = "text/plain"
        file.byteSize = text.utf8.count
        file.uploaderName = "Henrik Handläggare"
        file.createdAt = now
        try await file.create(on: db)
    }

    struct DemoText { var subject: String; var description: String; var category: String }

    static let demoTexts: [DemoText] = [
        DemoText(subject: "Läckande kran i tvättstugan", description: "Kranen vid tvättmaskin 2 droppar hela tiden och det har bildats en pöl på golvet. Kan ni skicka någon den här veckan?", category: "VVS"),
        DemoText(subject: "Trasig belysning i trapphus", description: "Lampan på våning 3 i trapphuset blinkar och slocknar. Det är mörkt på kvällarna.", category: "El"),
        DemoText(subject: "Hissen står still", description: "Hissen har stannat mellan våning 2 och 3. Ingen är instängd men den går inte att använda.", category: "Hiss"),
        DemoText(subject: "Klotter på entrédörren", description: "Någon har sprejat klotter på entrédörren mot gatan under helgen. Önskar sanering.", category: "Fasad"),
        DemoText(subject: "Element blir inte varmt", description: "Elementet i vardagsrummet i lägenhet 1102 är kallt trots att termostaten står på max.", category: "Värme"),
        DemoText(subject: "Snöröjning av gångväg", description: "Gångvägen mellan husen är inte skottad och det är halt. Risk för fallolyckor.", category: "Utemiljö"),
        DemoText(subject: "Stopp i avlopp", description: "Avloppet i köket i lägenhet 1204 är stopp. Vattnet rinner inte undan alls.", category: "VVS"),
        DemoText(subject: "Dörrstängare trasig", description: "Porten till cykelrummet stänger inte av sig själv längre. Obehöriga kan ta sig in.", category: "Lås"),
        DemoText(subject: "Fuktfläck i taket", description: "En brun fläck har dykt upp i taket i badrummet. Den växer sakta. Möjligt läckage från lägenheten ovanför.", category: "Skada"),
        DemoText(subject: "Ventilationen låter", description: "Fläkten på vinden låter högt och gnisslar, särskilt nattetid. Grannarna i översta våningen störs.", category: "Ventilation"),
        DemoText(subject: "Byte av lås efter förlorad nyckel", description: "En boende har tappat sin nyckel till källarförrådet. Vi önskar byte av cylinder och tre nya nycklar.", category: "Lås"),
        DemoText(subject: "Översyn av lekplatsen", description: "Gungan på lekplatsen har en lös kedja. Önskar besiktning och åtgärd före sommaren.", category: "Utemiljö"),
    ]
}
