import CaseportCore
import CaseportStore

/// E3: an administrator exports everything the deployment holds about one person (by e-mail). The
/// export carries personal data out of the system, so it is an audit line (E5), written before the
/// first byte is sent. The web streams the ZIP (`PersonalDataExport`, `ZipStreamWriter`).
public enum ExportPersonalData {
    public enum Field: String, Hashable, Sendable { case email }

    public static func run(email: String, by actor: StaffActor, in context: OperationContext) async throws
        -> Outcome<PersonalDataExport.Person, Field> {
        try actor.requireAdmin()
        let typed = email.trimmingCharacters(in: .whitespaces)
        var problems = Problems<Field>()
        if typed.isEmpty { problems.add(.email, ProblemKey.required) }
        else if !EmailAddress.isValid(typed) { problems.add(.email, ProblemKey.invalidEmail) }
        guard problems.isEmpty else { return .problems(problems) }
        let person = try await PersonalDataExport(database: context.database).find(email: typed)
        if person.isEmpty {
            problems.add(.email, "privacy_export_nobody")
            return .problems(problems)
        }
        try await context.audit(.dataExported, by: actor.auditActor, subject: "personal data \(person.email)",
                                details: "ZIP: portal users \(person.portalUserIds), contacts \(person.contactIds), persons \(person.personIds)",
                                on: context.database)
        return .done(person)
    }
}
