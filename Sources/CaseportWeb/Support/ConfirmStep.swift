import Vapor

/// A destructive action's confirmation (issue 12 point 7): a page that names what will happen and
/// posts `confirm=1` to the action. Showing it changes nothing; the action's POST without `confirm=1`
/// changes nothing either and shows this page instead (so an old or forged form cannot skip it).
struct ConfirmStep: Encodable {
    var layout: Layout
    var heading: String
    var question: String
    var detail: String?
    /// Where the confirmation posts (the action's own URL).
    var action: String
    var button: String
    var cancelHref: String

    static let fieldName = "confirm"

    /// Whether the POST carries the confirmation.
    static func isConfirmed(_ request: Request) -> Bool {
        (try? request.content.get(String.self, at: fieldName)) == "1"
    }

    func response(_ request: Request) async throws -> Response {
        try await request.view.render("shared/confirm", self).encodeResponse(for: request).get()
    }

    /// A back-office question whose button posts to the action's own path (the request's).
    static func staff(_ request: Request, titleKey: String, question: String, detail: String? = nil,
                      button: String, cancelHref: String) async throws -> Response {
        try await ConfirmStep(layout: Layout(request, title: request.t(titleKey), area: "staff"), heading: request.t(titleKey),
                              question: question, detail: detail, action: request.url.path, button: button,
                              cancelHref: cancelHref).response(request)
    }
}
