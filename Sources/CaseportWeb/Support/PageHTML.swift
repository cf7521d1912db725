import Vapor

/// Issue 17 (session 17): the whole frame of a page written in Swift, for the pages whose body is written
/// in Swift too, so that they make no Leaf render at all. perf on the portal list put Leaf at a fifth of the
/// page's server CPU even with the header and the rows already in Swift: resolving each `#(layout.…)`
/// splits its path and walks the context's dictionaries, every `#if` is evaluated through the same
/// resolver, and the context is encoded first.
///
/// The bytes are those `shared/layout.leaf` (with `shared/chat-corner`) writes around a
/// body given as `#export("body"):` … `#endexport` on lines of their own, which is how every page template
/// hands its body over: `PageHTMLTests` renders the real templates with Leaf for many layouts and
/// compares. Values are escaped as `#(…)` escapes them (`escapedHTML`), a missing string is empty, and
/// the links come from the route table the `#route` tag reads. Other pages keep the template.
extension Layout {
    /// `body` inside the frame, as `#extend("shared/layout"): #export("body"): …` wrote it.
    func pageHTML(body: String) -> String {
        let strings = t.table
        func text(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        let customerArea = area != "staff"
        var html = ""
        html.reserveCapacity(body.utf8.count + (customerArea ? 12_000 : 8_000))
        html += "<!doctype html>\n<html lang=\"" + lang.escapedHTML + "\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>" + title.escapedHTML + " · Caseport</title>\n"
        html += "<link rel=\"stylesheet\" href=\"/css/caseport.css\">\n"
        if let brandingStylesheet { html += "<link rel=\"stylesheet\" href=\"" + brandingStylesheet.escapedHTML + "\">" }
        html += "\n</head>\n<body>\n" + headerHTML + "\n"
        html += "<main id=\"main\" class=\"page" + (wide ? " page-wide" : "") + "\">\n"
        // `#export("body"):` and `#endexport` on lines of their own keep a line break either side of the body.
        html += "\n" + body + "\n\n</main>\n"
        if customerArea {
            html += "<footer class=\"page-footer\"><a href=\"" + FrameRoutes.shared.privacy + "\">" + text("privacy_link") + "</a></footer>\n"
            html += chatCornerHTML
        }
        html += "\n<script src=\"/js/menu.js\" defer></script>\n"
        if customerArea { html += "<script src=\"/js/chat.js\" defer></script>" }
        // The layout's last line break, then the page template's after `#endextend`.
        html += "\n</body>\n</html>\n\n"
        return html
    }

    /// `shared/chat-corner.leaf`: the customer pages' chat button and panel (issue 15), filled in by
    /// `chat.js`; every label is one of the page language's strings.
    var chatCornerHTML: String {
        let strings = t.table
        func text(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        let routes = FrameRoutes.shared
        var html = "<div class=\"chat-corner" + (chatState == "open" ? " chat-is-open" : "") + "\" id=\"chat-corner\" data-open=\""
        html += chatState.escapedHTML + "\" data-status=\"" + routes.chatStatus + "\" data-start=\"" + routes.chatStart
        html += "\" data-socket=\"" + routes.chatSocket + "\""
        let dataStrings = [("open", "chat_button_open"), ("closed", "chat_button_closed"), ("you", "chat_you"), ("ended", "chat_ended"),
                           ("ended-inquiry", "chat_ended_inquiry"), ("transcript-sent", "chat_transcript_sent"),
                           ("attached", "chat_attached"), ("slow-down", "chat_slow_down"), ("empty", "chat_error_empty"),
                           ("error", "chat_error_connection")]
        for (name, key) in dataStrings { html += " data-t-" + name + "=\"" + text(key) + "\"" }
        html += ">\n"
        html += "  <a class=\"chat-button\" id=\"chat-button\" href=\"" + routes.chatPage + "\">" + text("chat_button") + "</a>\n"
        html += "  <section class=\"chat-panel\" id=\"chat-panel\" aria-labelledby=\"chat-title\" hidden>\n"
        html += "    <div class=\"chat-head\">\n"
        html += "      <h2 id=\"chat-title\">" + text("chat_title") + "</h2>\n"
        html += "      <button type=\"button\" class=\"chat-close\" id=\"chat-close\"><span aria-hidden=\"true\">×</span><span class=\"visually-hidden\">"
        html += text("chat_close") + "</span></button>\n    </div>\n"
        html += "    <div id=\"chat-closed\" hidden>\n      <p>" + text("chat_nobody_available") + "</p>\n"
        html += "      <p><a href=\"" + routes.chatPage + "\">" + text("chat_leave_message_link") + "</a></p>\n    </div>\n"
        html += "    <form class=\"form chat-start\" id=\"chat-start-form\" novalidate hidden>\n"
        html += "      <p class=\"hint\">" + text("chat_start_intro") + "</p>\n"
        html += "      <div class=\"field\">\n        <label for=\"chat-name\">" + text("chat_name") + "</label>\n"
        html += "        <input id=\"chat-name\" name=\"name\" autocomplete=\"name\" maxlength=\"200\" required aria-describedby=\"chat-name-error\">\n"
        html += "        <p class=\"field-error\" id=\"chat-name-error\" hidden></p>\n      </div>\n"
        html += "      <div class=\"field\">\n        <label for=\"chat-email\">" + text("chat_email") + "</label>\n"
        html += "        <input id=\"chat-email\" name=\"email\" type=\"email\" autocomplete=\"email\" maxlength=\"254\" required aria-describedby=\"chat-email-error\">\n"
        html += "        <p class=\"field-error\" id=\"chat-email-error\" hidden></p>\n      </div>\n"
        html += "      <button type=\"submit\" class=\"button button-primary\">" + text("chat_start") + "</button>\n    </form>\n"
        html += "    <div class=\"chat-conversation\" id=\"chat-conversation\" hidden>\n"
        html += "      <ol class=\"chat-log\" id=\"chat-log\" aria-live=\"polite\" aria-relevant=\"additions\" aria-label=\""
        html += text("chat_log_label") + "\" tabindex=\"0\"></ol>\n"
        html += "      <p class=\"chat-waiting muted\" id=\"chat-waiting\" hidden>" + text("chat_waiting") + "</p>\n"
        html += "      <p class=\"chat-typing muted\" id=\"chat-typing\" hidden>" + text("chat_typing") + "</p>\n"
        html += "      <div class=\"chat-ended\" id=\"chat-ended\" hidden>\n        <p id=\"chat-ended-text\"></p>\n"
        html += "        <button type=\"button\" class=\"button button-small\" id=\"chat-new\">" + text("chat_new") + "</button>\n      </div>\n"
        html += "      <form class=\"chat-send\" id=\"chat-send-form\">\n"
        html += "        <label for=\"chat-input\">" + text("chat_message_label") + "</label>\n"
        html += "        <textarea id=\"chat-input\" rows=\"2\" maxlength=\"4000\" aria-describedby=\"chat-input-hint\"></textarea>\n"
        html += "        <p class=\"hint\" id=\"chat-input-hint\">" + text("chat_enter_hint") + "</p>\n"
        html += "        <button type=\"submit\" class=\"button button-primary button-small\">" + text("chat_send") + "</button>\n      </form>\n"
        html += "      <div class=\"chat-tools\">\n        <div class=\"chat-attach\" id=\"chat-attach\" hidden>\n"
        html += "          <label for=\"chat-attach-case\">" + text("chat_attach_label") + "</label>\n"
        html += "          <select id=\"chat-attach-case\"><option value=\"\">" + text("chat_attach_choose") + "</option></select>\n"
        html += "          <button type=\"button\" class=\"button button-small\" id=\"chat-attach-button\">" + text("chat_attach") + "</button>\n"
        html += "        </div>\n"
        html += "        <button type=\"button\" class=\"button button-small\" id=\"chat-transcript\">" + text("chat_transcript") + "</button>\n"
        html += "        <button type=\"button\" class=\"button button-small button-danger\" id=\"chat-end\">" + text("chat_end") + "</button>\n"
        html += "      </div>\n      <p class=\"chat-notice\" id=\"chat-notice\" role=\"status\"></p>\n    </div>\n  </section>\n</div>\n"
        return html
    }
}

/// The frame's links outside the header, escaped as the `#route` tag's output was, built once.
struct FrameRoutes: Sendable {
    static let shared = FrameRoutes()

    let privacy = HeaderRoutes.route("public.privacy")
    let chatStatus = HeaderRoutes.route("chat.status"), chatStart = HeaderRoutes.route("chat.start")
    let chatSocket = HeaderRoutes.route("chat.socket"), chatPage = HeaderRoutes.route("chat.page")
}

extension Request {
    /// A page written in Swift, answered as a rendered template is (`text/html; charset=utf-8`).
    func htmlPage(_ html: String, status: HTTPResponseStatus = .ok) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: status, headers: headers, body: .init(string: html))
    }
}
