import CaseportCore
import FluentKit

/// D6: master data read for a CSV export, one page at a time in id order (keyset paging: `after` is the
/// last id of the previous page), so an export of any size holds at most one page in memory. Each row
/// has the cells of the import's columns (`ImportKind.columns`), so an exported file imports again.
public struct MasterDataExport: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public struct Page: Sendable {
        public var rows: [[String]]
        /// The id to pass as `after` for the next page; nil when this was the last.
        public var next: Int?
    }

    public static let pageSize = 500

    public func page(_ kind: ImportKind, after: Int, limit: Int = pageSize) async throws -> Page {
        switch kind {
        case .customers:
            let records = try await CustomerRecord.query(on: database).filter(\.$id > after).sort(\.$id).limit(limit).all()
            return Page(rows: records.map { [$0.customerNumber, $0.name, $0.shortCode, Self.yesNo($0.singleUser)] },
                        next: records.count == limit ? records.last?.id : nil)
        case .objects:
            let records = try await ObjectRecord.query(on: database).filter(\.$id > after).sort(\.$id).limit(limit).all()
            let numbers = try await customerNumbers(Set(records.map(\.customerId)))
            return Page(rows: records.map { [numbers[$0.customerId] ?? "", $0.name, $0.address] },
                        next: records.count == limit ? records.last?.id : nil)
        case .contacts:
            let records = try await ContactRecord.query(on: database).filter(\.$id > after).sort(\.$id).limit(limit).all()
            let ids = records.compactMap(\.id)
            let links = ids.isEmpty ? [] : try await ContactCustomerLink.query(on: database).filter(\.$contactId ~~ ids)
                .sort(\.$customerId).all()
            let numbers = try await customerNumbers(Set(links.map(\.customerId)))
            var byContact: [Int: [String]] = [:]
            for link in links { if let number = numbers[link.customerId] { byContact[link.contactId, default: []].append(number) } }
            return Page(rows: records.map { contact in
                [contact.firstName, contact.lastName, contact.email ?? "", contact.phone ?? "",
                 (byContact[contact.id!] ?? []).joined(separator: "|")]
            }, next: records.count == limit ? records.last?.id : nil)
        case .users:
            let records = try await PortalUserRecord.query(on: database).filter(\.$id > after).sort(\.$id).limit(limit).all()
            let numbers = try await customerNumbers(Set(records.map(\.organisationId)))
            return Page(rows: records.map { user in
                [numbers[user.organisationId] ?? "", user.username, user.firstName, user.lastName, user.email ?? "", user.phone ?? "",
                 Self.yesNo(user.isAdmin)]
            }, next: records.count == limit ? records.last?.id : nil)
        }
    }

    /// "yes"/"no", which the import reads back (it also takes ja/nei/nej/true/false).
    static func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

    func customerNumbers(_ ids: Set<Int>) async throws -> [Int: String] {
        guard !ids.isEmpty else { return [:] }
        var numbers: [Int: String] = [:]
        for customer in try await CustomerRecord.query(on: database).filter(\.$id ~~ ids).all() { numbers[customer.id!] = customer.customerNumber }
        return numbers
    }
}
