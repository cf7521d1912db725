import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Foundation
import Vapor

/// The chat button's page without JavaScript (B13): whether someone is available, and a form that
/// leaves a message as an inquiry (D2) answered by e-mail. Reachable signed in or not.
struct ChatPageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(ChatRoute.page, use: show)
        routes.on(ChatRoute.leave, use: leave)
    }

    struct LeaveForm: PostedForm, Encodable {
        var name: String
        var email: String
        var message: String
    }

    struct Page: Encodable {
        var layout: Layout
        var open: Bool
        var values: LeaveForm
        var errors: [String: String]
        var notice: String?
    }

    func show(request: Request) async throws -> View {
        var values = LeaveForm(name: "", email: "", message: "")
        if let principal = request.portalPrincipal {
            values.name = principal.user.displayName
            values.email = principal.user.email ?? ""
        }
        return try await render(request, values: values, errors: [:], notice: request.notice([.received: "chat_leave_sent"]))
    }

    func render(_ request: Request, values: LeaveForm, errors: [String: String], notice: String?) async throws -> View {
        let open = try await Chats(database: request.database).anyoneAvailable()
        return try await request.view.render("portal/chat", Page(layout: Layout(request, title: request.t("chat_page_title")),
                                                                  open: open, values: values, errors: errors, notice: notice))
    }

    func leave(request: Request) async throws -> Response {
        let form = try request.form(LeaveForm.self)
        guard request.application.chatLimiter.start(request.clientAddress ?? "unknown") else { throw Abort(.tooManyRequests) }
        let outcome = try await LeaveChatMessage.run(.init(name: form.name, email: form.email, message: form.message,
                                                           language: request.language),
                                                     by: try ChatController.customer(request), in: request.operations)
        switch outcome {
        case .done:
            return request.redirect(to: ChatRoute.page, notice: .received)
        case .problems(let problems):
            let errors = request.texts(problems) { field in
                switch field {
                case .name: "name"
                case .email: "email"
                case .message: "message"
                }
            }
            let view = try await render(request, values: form, errors: errors, notice: nil)
            let response = try await view.encodeResponse(for: request)
            response.status = .unprocessableEntity
            return response
        }
    }
}

/// D7, the staff console: availability, the waiting queue (with how long each has waited) and the
/// member's own chats. Answering is live (Public/js/chat-console.js over `/staff/chat/socket`);
/// availability and the queue work without JavaScript too.
struct StaffChatController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(ChatRoute.console, use: show)
        routes.on(ChatRoute.availability, use: setAvailability)
    }

    struct Waiting: Encodable {
        var id: Int
        var name: String
        var email: String
        var waited: String
        var since: String
    }

    struct Page: Encodable {
        var layout: Layout
        var available: Bool
        var waiting: [Waiting]
        var mine: [Waiting]
        var colleagues: [String]
        var notice: String?
    }

    struct AvailabilityForm: PostedForm {
        var available: Bool
    }

    func show(request: Request) async throws -> View {
        let staff = try request.staffMember()
        let chats = Chats(database: request.database)
        let now = Date()
        func row(_ record: ChatConversationRecord) -> Waiting {
            Waiting(id: record.id ?? 0, name: record.visitorName, email: record.visitorEmail,
                    waited: Self.duration(now.timeIntervalSince(record.createdAt), request),
                    since: ISO8601DateFormatter().string(from: record.createdAt))
        }
        let available = try await chats.availableStaff()
        let page = Page(layout: Layout(request, title: request.t("staff_chat_title"), area: "staff"),
                        available: available.contains { $0.id == staff.staffId },
                        waiting: try await chats.waiting().map(row), mine: try await chats.active(staffId: staff.staffId).map(row),
                        colleagues: available.filter { $0.id != staff.staffId }.map(\.name),
                        notice: request.notice([.saved: "staff_chat_availability_saved"]))
        return try await request.view.render("staff/chat", page)
    }

    static func duration(_ seconds: TimeInterval, _ request: Request) -> String {
        let minutes = max(0, Int(seconds) / 60)
        return minutes < 1 ? request.t("staff_chat_waited_now")
            : request.t("staff_chat_waited_minutes").replacingOccurrences(of: "{n}", with: String(minutes))
    }

    func setAvailability(request: Request) async throws -> Response {
        let form = try request.form(AvailabilityForm.self)
        try await SetChatAvailability.run(available: form.available, by: try request.staffMember(), in: request.operations)
        request.caseport.chatAvailability.forget()
        await request.application.chatBus.publish(.queue)
        return request.redirect(to: ChatRoute.console, notice: .saved)
    }
}
