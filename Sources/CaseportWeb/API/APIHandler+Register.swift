import CaseportAPI
import CaseportOperations
import CaseportStore
import FluentKit
import Foundation

/// The register and the inquiries in the API. Customers, objects, contacts and portal users are the
/// back office's master data (every staff member sees them, as on the master-data pages); a portal
/// token is refused them (403). Inquiries: staff see every one; a portal user those they sent, as on
/// "my inquiries". Pages by id (a keyset), so rows added meanwhile never shift a page.
extension APIHandler {
    func listCustomers(_ input: Operations.ListCustomers.Input) async throws -> Operations.ListCustomers.Output {
        let call = try Call.current()
        _ = try call.staffOnly()
        let limit = APICursor.limit(input.query.limit)
        let query = CustomerRecord.query(on: call.db).sort(\.$id).limit(limit + 1)
        if let after = try APICursor.decode(input.query.cursor) { query.filter(\.$id > after) }
        let (rows, next) = APICursor.page(try await query.all(), limit: limit) { $0.id ?? 0 }
        let items = rows.map {
            Schemas.Customer(id: Int32($0.id ?? 0), name: $0.name, shortCode: $0.shortCode, customerNumber: $0.customerNumber,
                             active: $0.isActive)
        }
        return .ok(.init(body: .json(.init(items: items, nextCursor: next))))
    }

    func listObjects(_ input: Operations.ListObjects.Input) async throws -> Operations.ListObjects.Output {
        let call = try Call.current()
        _ = try call.staffOnly()
        let limit = APICursor.limit(input.query.limit)
        let query = ObjectRecord.query(on: call.db).sort(\.$id).limit(limit + 1)
        if let after = try APICursor.decode(input.query.cursor) { query.filter(\.$id > after) }
        if let customer = input.query.customerId { query.filter(\.$customerId == Int(customer)) }
        let (rows, next) = APICursor.page(try await query.all(), limit: limit) { $0.id ?? 0 }
        let items = rows.map {
            Schemas.SiteObject(id: Int32($0.id ?? 0), customerId: Int32($0.customerId), name: $0.name, address: $0.address,
                               active: $0.isActive)
        }
        return .ok(.init(body: .json(.init(items: items, nextCursor: next))))
    }

    func listContacts(_ input: Operations.ListContacts.Input) async throws -> Operations.ListContacts.Output {
        let call = try Call.current()
        _ = try call.staffOnly()
        let limit = APICursor.limit(input.query.limit)
        let query = ContactRecord.query(on: call.db).sort(\.$id).limit(limit + 1)
        if let after = try APICursor.decode(input.query.cursor) { query.filter(\.$id > after) }
        let (rows, next) = APICursor.page(try await query.all(), limit: limit) { $0.id ?? 0 }
        let items = rows.map {
            Schemas.Contact(id: Int32($0.id ?? 0), firstName: $0.firstName, lastName: $0.lastName, email: $0.email,
                            phone: $0.phone, active: $0.isActive)
        }
        return .ok(.init(body: .json(.init(items: items, nextCursor: next))))
    }

    func listPortalUsers(_ input: Operations.ListPortalUsers.Input) async throws -> Operations.ListPortalUsers.Output {
        let call = try Call.current()
        _ = try call.staffOnly()
        let limit = APICursor.limit(input.query.limit)
        let query = PortalUserRecord.query(on: call.db).sort(\.$id).limit(limit + 1)
        if let after = try APICursor.decode(input.query.cursor) { query.filter(\.$id > after) }
        if let customer = input.query.customerId { query.filter(\.$organisationId == Int(customer)) }
        let (rows, next) = APICursor.page(try await query.all(), limit: limit) { $0.id ?? 0 }
        let items = rows.map {
            Schemas.PortalUser(id: Int32($0.id ?? 0), customerId: Int32($0.organisationId), username: $0.username,
                               firstName: $0.firstName, lastName: $0.lastName, email: $0.email, admin: $0.isAdmin,
                               active: $0.isActive)
        }
        return .ok(.init(body: .json(.init(items: items, nextCursor: next))))
    }

    func listInquiries(_ input: Operations.ListInquiries.Input) async throws -> Operations.ListInquiries.Output {
        let call = try Call.current()
        let limit = APICursor.limit(input.query.limit)
        let query = InquiryRecord.query(on: call.db).sort(\.$id, .descending).limit(limit + 1)
        if let after = try APICursor.decode(input.query.cursor) { query.filter(\.$id < after) }
        if case .portal(let principal) = call.principal.caller {
            query.filter(\.$createdByUserId == (try principal.user.requireID()))
        }
        let (rows, next) = APICursor.page(try await query.all(), limit: limit) { $0.id ?? 0 }
        let items = rows.map {
            Schemas.Inquiry(id: Int32($0.id ?? 0), status: $0.status.rawValue, subject: $0.subject, description: $0.description,
                            senderName: $0.senderName, createdAt: $0.createdAt, caseId: $0.caseId.map(Int32.init))
        }
        return .ok(.init(body: .json(.init(items: items, nextCursor: next))))
    }
}
