import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// E3: put a case on legal hold or release it (every staff member; the list is on the privacy page,
/// where an administrator sees every held case).
struct StaffLegalHoldController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.legalHold, use: hold)
        routes.on(StaffRoute.legalHoldRelease, use: release)
    }

    func hold(request: Request) async throws -> Response {
        let form = try request.form(LegalHoldForm.self)
        let staff = try request.staffMember()
        switch try await SetLegalHold.hold(.init(caseNumber: form.caseNumber, reason: form.reason), by: staff, in: request.operations) {
        case .done(let number):
            return staff.isAdmin ? request.redirect(to: StaffRoute.privacy, notice: .added, fragment: "holds")
                                 : request.redirect(to: StaffRoute.case, number, notice: .saved)
        case .problems(let problems):
            guard staff.isAdmin else { throw Abort(.unprocessableEntity) }
            let policy = try await RetentionSettingsStore(database: request.database).load()
            return try await StaffPrivacyController().render(request, form: RetentionForm(policy), errors: request.texts(problems),
                                                             hold: form, status: .unprocessableEntity)
        }
    }

    func release(request: Request) async throws -> Response {
        guard let number = request.parameters.get("number", as: Int.self) else { throw Abort(.notFound) }
        let staff = try request.staffMember()
        try await SetLegalHold.release(caseNumber: number, by: staff, in: request.operations)
        return staff.isAdmin ? request.redirect(to: StaffRoute.privacy, notice: .removed, fragment: "holds")
                             : request.redirect(to: StaffRoute.case, number, notice: .saved)
    }
}

struct LegalHoldForm: PostedForm, Encodable {
    static var longestValue: Int { 600 }
    var caseNumber = ""
    var reason = ""
    enum CodingKeys: String, CodingKey { case caseNumber = "case_number", reason }

    init() {}

    init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: CodingKeys.self)
        caseNumber = try form.decode(String.self, forKey: .caseNumber)
        reason = try form.decode(String.self, forKey: .reason)
    }

    enum Shown: String, CodingKey { case caseNumber, reason }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Shown.self)
        try container.encode(caseNumber, forKey: .caseNumber)
        try container.encode(reason, forKey: .reason)
    }
}
