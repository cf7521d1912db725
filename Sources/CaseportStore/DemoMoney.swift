import CaseportCore
import FluentKit
import Foundation

/// Issue 14's part of the demo: a price list, rows and work orders on several of Brf Solgläntan's
/// cases, and an invoice specification waiting for Anna's approval. Like the rest of the demo it writes
/// rows directly (no events, no mail); amounts are rounded by the same `RowAmounts.of` as bookings.
enum DemoMoney {
    struct Article {
        var code: String, name: String, unit: String, type: ArticleType, price: Int, vat: Int
    }

    static let articles = [
        Article(code: "ARB-01", name: "Arbetstid montör", unit: "h", type: .work, price: 65_000, vat: 2500),
        Article(code: "ARB-02", name: "Arbetstid elektriker", unit: "h", type: .work, price: 72_000, vat: 2500),
        Article(code: "RES-01", name: "Utryckning", unit: "st", type: .other, price: 45_000, vat: 2500),
        Article(code: "MAT-01", name: "Blandare kök", unit: "st", type: .material, price: 189_500, vat: 2500),
        Article(code: "MAT-02", name: "Kopparrör 15 mm", unit: "m", type: .material, price: 8_950, vat: 2500),
        Article(code: "MAT-03", name: "Säkring 16 A", unit: "st", type: .material, price: 2_490, vat: 2500),
    ]

    static func seed(customerId: Int, supplierId: Int?, staffId: Int?, now: Date, on db: any Database) async throws {
        let unix = Int(now.timeIntervalSince1970)
        var byCode: [String: ArticleRecord] = [:]
        for article in articles {
            let record = ArticleRecord()
            record.code = article.code
            record.name = article.name
            record.unit = article.unit
            record.articleType = article.type.rawValue
            record.unitPriceMinor = article.price
            record.vatRateBasisPoints = article.vat
            record.isActive = true
            record.updatedUnix = unix
            try await record.create(on: db)
            byCode[article.code] = record
        }
        var codes: [String: ActionCodeRecord] = [:]
        for (code, name) in [("REP", "Reparation"), ("BYT", "Byte"), ("FEL", "Felsökning"), ("SER", "Service")] {
            let record = ActionCodeRecord()
            record.code = code
            record.name = name
            record.isActive = true
            try await record.create(on: db)
            codes[code] = record
        }

        // The newest open cases of Solgläntan get the work; older ones were done and specified.
        let cases = try await CaseRecord.query(on: db).filter(\.$customerId == customerId).sort(\.$number, .descending).limit(5).all()
        guard cases.count >= 4 else { return }
        func day(_ daysAgo: Int) -> String {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = .current
            let parts = calendar.dateComponents([.year, .month, .day], from: now.addingTimeInterval(-Double(daysAgo) * 86_400))
            return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
        }
        func order(_ record: CaseRecord, type: WorkOrderType, state: WorkOrderState, title: String, daysAgo: Int) async throws -> WorkOrderRecord {
            let order = WorkOrderRecord()
            order.caseId = try record.requireID()
            order.workOrderType = type.rawValue
            order.state = state.rawValue
            order.supplierId = supplierId
            order.title = title
            order.description = record.subject
            order.plannedStart = day(daysAgo)
            order.plannedEnd = day(max(0, daysAgo - 1))
            let created = unix - daysAgo * 86_400 - 3_600
            order.createdUnix = created
            order.updatedUnix = created
            if state != .draft { order.sentUnix = created + 600 }
            if state == .accepted || state == .done { order.acceptedUnix = created + 3_600 }
            if state == .done { order.doneUnix = created + 86_400 }
            order.createdByStaffId = staffId
            order.version = 1
            try await order.create(on: db)
            return order
        }
        @discardableResult
        func row(_ record: CaseRecord, _ code: String, _ quantityMilli: Int, action: String, daysAgo: Int, order: WorkOrderRecord? = nil,
                 priceThen: Int? = nil, note: String? = nil) async throws -> ArticleRowRecord {
            let article = byCode[code]!
            let price = priceThen ?? article.unitPriceMinor
            let quantity = Quantity(milli: quantityMilli)
            let amounts = RowAmounts.of(quantity: quantity, unitPrice: Money(minor: price), vatRate: article.vatRate)!
            let row = ArticleRowRecord()
            row.caseId = try record.requireID()
            row.workOrderId = order?.id
            row.articleId = article.id
            row.actionCodeId = codes[action]?.id
            row.actionCode = action
            row.articleCode = article.code
            row.articleName = article.name
            row.articleType = article.articleType
            row.unit = article.unit
            row.quantityMilli = quantityMilli
            row.unitPriceMinor = price
            row.vatRateBasisPoints = article.vatRateBasisPoints
            row.netMinor = amounts.net.minor
            row.vatMinor = amounts.vat.minor
            row.grossMinor = amounts.gross.minor
            row.note = note
            row.bookedOn = day(daysAgo)
            row.createdUnix = unix - daysAgo * 86_400
            row.createdByStaffId = staffId
            row.createdByName = "Henrik Handläggare"
            try await row.create(on: db)
            return row
        }

        let (first, second, third, fourth) = (cases[0], cases[1], cases[2], cases[3])
        // First case: a repair under way — a work order sent to the plumber, a trip and an hour so far.
        let repair = try await order(first, type: .repair, state: .sent, title: "Åtgärda felanmälan", daysAgo: 2)
        try await row(first, "RES-01", 1_000, action: "FEL", daysAgo: 2, order: repair)
        try await row(first, "ARB-01", 1_500, action: "FEL", daysAgo: 2, order: repair, note: "Felsökning på plats")
        // Second: done; specified (rows booked at last year's hourly price, 620 kr: the list says 650 now).
        let done = try await order(second, type: .repair, state: .done, title: "Byte av blandare", daysAgo: 9)
        var specified: [(ArticleRowRecord, Int)] = []
        specified.append((try await row(second, "ARB-01", 2_250, action: "BYT", daysAgo: 9, order: done, priceThen: 62_000), second.number))
        specified.append((try await row(second, "MAT-01", 1_000, action: "BYT", daysAgo: 9, order: done), second.number))
        specified.append((try await row(second, "MAT-02", 3_400, action: "BYT", daysAgo: 9, order: done), second.number))
        // Third: an electrician's service visit, also on the specification.
        specified.append((try await row(third, "ARB-02", 1_000, action: "SER", daysAgo: 12), third.number))
        specified.append((try await row(third, "MAT-03", 3_000, action: "SER", daysAgo: 12), third.number))
        // Fourth: an inspection booked, no rows yet.
        _ = try await order(fourth, type: .inspection, state: .draft, title: "Besiktning av tak", daysAgo: 0)

        let totals = MoneyTotals(rows: specified.map { $0.0.amounts })
        let spec = InvoiceSpecificationRecord()
        spec.number = try await InvoiceSpecifications.nextNumber(on: db)
        spec.customerId = customerId
        spec.title = "Underlag \(day(8).prefix(7)) – Brf Solgläntan"
        spec.state = SpecificationState.waiting.rawValue
        spec.netMinor = totals.net.minor
        spec.vatMinor = totals.vat.minor
        spec.grossMinor = totals.gross.minor
        spec.rowCount = specified.count
        spec.createdUnix = unix - 86_400
        spec.createdByStaffId = staffId
        spec.createdByName = "Henrik Handläggare"
        spec.version = 1
        try await spec.create(on: db)
        for (position, entry) in specified.enumerated() {
            let (row, caseNumber) = entry
            row.specificationId = spec.id
            try await row.save(on: db)
            let copy = SpecificationRowRecord()
            copy.specificationId = try spec.requireID()
            copy.position = position + 1
            copy.articleRowId = row.id
            copy.caseId = row.caseId
            copy.caseNumber = caseNumber
            copy.workOrderId = row.workOrderId
            copy.bookedOn = row.bookedOn
            copy.actionCode = row.actionCode
            copy.articleCode = row.articleCode
            copy.articleName = row.articleName
            copy.articleType = row.articleType
            copy.unit = row.unit
            copy.quantityMilli = row.quantityMilli
            copy.unitPriceMinor = row.unitPriceMinor
            copy.vatRateBasisPoints = row.vatRateBasisPoints
            copy.netMinor = row.netMinor
            copy.vatMinor = row.vatMinor
            copy.grossMinor = row.grossMinor
            copy.note = row.note
            try await copy.create(on: db)
        }
    }
}
