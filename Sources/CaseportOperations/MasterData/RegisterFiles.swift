import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// B9: staff attach files to a customer or an object; the portal's documents page shows them to the
/// users who reach that customer or object (`FileVisibility`). The bytes are already in storage; the
/// operation records them with an audit line (E5). Removing marks the row; the caller deletes the bytes.
public enum AttachRegisterFiles {
    public static func run(_ files: [AttachUploadedFiles.StoredUpload], to owner: StaffFiles.Owner, by actor: StaffActor,
                           in context: OperationContext) async throws {
        let subject = try await RegisterFileOwner.subject(of: owner, on: context.database)
        guard !files.isEmpty else { return }
        let now = context.now
        try await context.database.transaction { tx in
            for upload in files {
                let file = upload.staffRecord(by: actor, at: now)
                switch owner {
                case .customer(let id): file.customerId = id
                case .object(let id): file.objectId = id
                }
                try await file.create(on: tx)
            }
            try await context.audit(.masterDataChanged, by: actor.auditActor, subject: subject,
                                    details: "file added: " + files.map(\.originalName).joined(separator: ", "), on: tx)
        }
    }
}

public enum RemoveRegisterFile {
    public struct Removed: Sendable {
        public var owner: StaffFiles.Owner
        public var storageKey: String
    }

    public static func run(fileId: Int, by actor: StaffActor, in context: OperationContext) async throws -> Removed {
        guard let file = try await StaffFiles(database: context.database).find(fileId: fileId), file.caseId == nil,
              let owner = file.objectId.map(StaffFiles.Owner.object) ?? file.customerId.map(StaffFiles.Owner.customer)
        else { throw OperationError.notFound }
        let subject = try await RegisterFileOwner.subject(of: owner, on: context.database)
        let now = context.now
        try await context.database.transaction { tx in
            file.removedAt = now
            try await file.update(on: tx)
            try await context.audit(.masterDataChanged, by: actor.auditActor, subject: subject,
                                    details: "file removed: \(file.originalName)", on: tx)
        }
        return Removed(owner: owner, storageKey: file.storageKey)
    }
}

enum RegisterFileOwner {
    /// How the audit log names the customer or object; a missing one is `notFound`.
    static func subject(of owner: StaffFiles.Owner, on db: any Database) async throws -> String {
        switch owner {
        case .customer(let id):
            guard let customer = try await CustomerRecord.find(id, on: db) else { throw OperationError.notFound }
            return "customer \(customer.customerNumber) \(customer.name)"
        case .object(let id):
            guard let object = try await ObjectRecord.find(id, on: db) else { throw OperationError.notFound }
            return "object \(id) \(object.name)"
        }
    }
}
