import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// `caseport migrate`: brings the schema up to date without asking (safe to run on every deploy).
struct MigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Applies every pending database migration." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await prepareDatabase(context.application)
        context.console.print("Database is up to date (\(context.application.caseport.config.database.summary)).")
    }
}

/// `caseport demo`: loads the demo deployment (once) and prints its logins.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Loads demo customers, users and cases, then prints the logins." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await prepareDatabase(app)
        let loaded = try await DemoData.load(on: app.db, hasher: app.caseport.passwords, storage: app.caseport.storage)
        context.console.print(loaded ? "Demo data loaded." : "Demo data was already there; nothing changed.")
        if loaded {
            // B12: last month's report for the customers the demo switched reports on for (Brf Solgläntan).
            let made = try await MonthlyReportJob(application: app, clock: { Date() }).run() ?? 0
            context.console.print("Monthly reports made: \(made).")
        }
        context.console.print("Portal logins at /login (organisation / username), password \(DemoData.password):")
        for login in DemoData.portalLogins {
            context.console.print("  \(login.organisation) / \(login.username) – \(login.what)")
        }
        context.console.print("Staff logins at /staff/login, password \(DemoData.password):")
        for login in DemoData.staffLogins { context.console.print("  \(login)") }
        // Issue 13: the claims customer (an insurer) with a water-damage claim.
        try await DemoClaims.load(on: app.db, storage: app.caseport.storage)
        if let insurer = try await CustomerRecord.query(on: app.db).filter(\.$customerNumber == DemoClaims.insurerNumber).first(),
           let claim = try await CaseRecord.query(on: app.db).filter(\.$customerId == insurer.id).sort(\.$number).first() {
            let base = app.caseport.config.publicURL ?? "http://127.0.0.1:8080"
            // The policyholder's personal link (A10), made fresh on every run (the token exists only here;
            // the previous demo link stops working). No SMS code unless an administrator turns it on.
            if let holder = try await CaseContactLink.query(on: app.db).filter(\.$caseId == claim.id!)
                .filter(\.$role == "policyholder").first(),
               let contact = try await ContactRecord.find(holder.contactId, on: app.db) {
                let links = ClaimLinks(database: app.db)
                _ = try await links.revoke(caseId: claim.id!, contactId: contact.id, now: Date())
                let made = try await links.create(
                    caseId: claim.id!,
                    for: .init(contactId: contact.id, name: "\(contact.firstName) \(contact.lastName)", email: contact.email,
                               phone: contact.phone, language: .da),
                    trigger: .manual, staffId: nil, now: Date())
                context.console.print("Claims customer page (\(insurer.name), case \(claim.number)), the policyholder's personal link: \(base)\(ClaimAccessRoute.link.path(made.token))")
            }
            context.console.print("  as staff see it (preview): \(base)\(ClaimPageRoute.preview.path(claim.number))")
        }
    }
}

/// `caseport staff create --email E --name N --role admin|handler [--password P]`.
struct StaffCommands: AsyncCommandGroup {
    var help: String { "Manages staff accounts." }
    var commands: [String: any AnyAsyncCommand] { ["create": StaffCreateCommand()] }
}

struct StaffCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The staff member's e-mail address (their login).")
        var email: String?
        @Option(name: "name", help: "Full name.")
        var name: String?
        @Option(name: "role", help: "admin or handler.")
        var role: String?
        @Option(name: "password", help: "The password; asked for when left out.")
        var password: String?
        init() {}
    }

    var help: String { "Creates a staff account (for the first operator of a deployment)." }

    struct Failure: Error, CustomStringConvertible { let description: String }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let email = signature.email?.trimmingCharacters(in: .whitespaces), EmailAddress.isValid(email) else {
            throw Failure(description: "--email must be an e-mail address")
        }
        guard let name = signature.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty,
              name.count <= InputLimits.name else {
            throw Failure(description: "--name is required")
        }
        guard let role = signature.role.flatMap(StaffRole.init(rawValue:)) else {
            throw Failure(description: "--role must be admin or handler")
        }
        let password = signature.password ?? context.console.ask("Password for \(email)", isSecure: true)
        let problems = PasswordPolicy.standard.problems(with: password)
        guard problems.isEmpty else {
            let english = app.caseport.translations
            throw Failure(description: problems.map { english.text($0.rawValue, in: .en) }.joined(separator: " "))
        }
        try await prepareDatabase(app)
        if try await StaffUserRecord.query(on: app.db).filter(\.$emailKey == LoginKey.fold(email)).first() != nil {
            throw Failure(description: "a staff account with the e-mail \(email) already exists")
        }
        let hash = try await app.caseport.passwords.hash(password)
        try await StaffUserRecord(email: email, name: name, role: role, passwordHash: hash).create(on: app.db)
        context.console.print("Created \(role.rawValue) \(name) <\(email)>. They sign in at /staff/login.")
    }
}
