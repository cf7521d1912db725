import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// `caseport token create --staff EMAIL --scope read|write [--expires DAYS] [--name TEXT] [--role admin|handler]`:
/// prints a new staff API token, for operators' scripts (issue 16). It goes through `CreateAPIToken`
/// like the admin page, so the token is stored as a hash and the audit log has its line (by "system").
struct TokenCommands: AsyncCommandGroup {
    var help: String { "Manages API tokens." }
    var commands: [String: any AnyAsyncCommand] { ["create": TokenCreateCommand()] }
}

struct TokenCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "staff", help: "The e-mail address of the staff member the token acts for.")
        var staff: String?
        @Option(name: "scope", help: "read (GET only) or write.")
        var scope: String?
        @Option(name: "expires", help: "Days until it stops working; without it, it does not expire.")
        var expires: Int?
        @Option(name: "name", help: "What the token is for (shown in the admin list); default: \"command line\".")
        var name: String?
        @Option(name: "role", help: "admin or handler (at most the member's own role; default: theirs).")
        var role: String?
        init() {}
    }

    var help: String { "Prints a new staff API token (shown once)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let email = signature.staff?.trimmingCharacters(in: .whitespaces), !email.isEmpty else {
            throw StaffCreateCommand.Failure(description: "--staff EMAIL is required")
        }
        guard let scope = signature.scope.flatMap(APITokenScope.init(rawValue:)) else {
            throw StaffCreateCommand.Failure(description: "--scope must be read or write")
        }
        var role: StaffRole?
        if let text = signature.role {
            guard let chosen = StaffRole(rawValue: text) else { throw StaffCreateCommand.Failure(description: "--role must be admin or handler") }
            role = chosen
        }
        try await prepareDatabase(app)
        guard let member = try await StaffUserRecord.query(on: app.db).filter(\.$emailKey == LoginKey.fold(email)).first() else {
            throw StaffCreateCommand.Failure(description: "no staff account with the e-mail \(email)")
        }
        let operations = OperationContext(
            database: app.db,
            notifications: NotificationContext(translations: app.caseport.translations, publicBaseURL: app.caseport.config.publicURL ?? "",
                                               companyName: app.caseport.config.delivery.companyName),
            clientAddress: nil)
        let input = CreateAPIToken.Input(name: signature.name ?? "command line", scope: scope, expiresInDays: signature.expires)
        switch try await CreateAPIToken.forStaff(input, staffUserId: try member.requireID(), role: role, by: .operatorCommand,
                                                 in: operations) {
        case .problems(let problems):
            let english = app.caseport.translations
            let lines = problems.messages.map { field, key in "--\(field.rawValue): \(english.text(key, in: .en))" }
            throw StaffCreateCommand.Failure(description: lines.sorted().joined(separator: "; "))
        case .done(let created):
            // Only the token on standard output, so a script can capture it.
            context.console.print(created.token)
        }
    }
}
