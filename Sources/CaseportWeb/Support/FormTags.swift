import LeafKit

/// The error line beside a form field, written once for every form:
///
///     <input id="subject" name="subject" value="#(values.subject)"#invalid(errors.subject, "subject-error")>
///     #fieldError(errors.subject, "subject-error")
///
/// `#fieldError(message, id)` renders `<p class="field-error" id="…">message</p>` when there is a
/// message, else nothing; `#invalid(message, id)` the matching `aria-invalid` and `aria-describedby`
/// attributes (with a leading space) and `autofocus`: the browser puts the focus — and the view — on
/// the first field in the page that has a problem, without JavaScript (issue 12). Both escape what they print. An id made of parts is given as
/// several parameters, joined: `#fieldError(row.error, "category-", row.id, "-error")`.
struct FieldErrorTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        let (message, id) = try FieldErrorTag.arguments(ctx, tag: "fieldError")
        return .string(Self.html(message, id: id))
    }

    /// The error line for pages written in Swift: nothing when `message` is nil or empty.
    static func html(_ message: String?, id: String) -> String {
        guard let message, !message.isEmpty else { return "" }
        return #"<p class="field-error" id="\#(id.escapedHTML)">\#(message.escapedHTML)</p>"#
    }

    /// The message (nil when the field has none) and the id of the error line.
    static func arguments(_ ctx: LeafContext, tag: String) throws -> (String?, String) {
        let parts = ctx.parameters.dropFirst().compactMap { $0.isNil ? nil : $0.string }
        guard ctx.parameters.count >= 2, parts.count == ctx.parameters.count - 1, !parts.contains(""), !parts.isEmpty else {
            throw LeafError(.unknownError("#\(tag)(message, \"id\", …): the id's parts must be given and not empty"))
        }
        let value = ctx.parameters[0]
        guard !value.isNil, let message = value.string, !message.isEmpty else { return (nil, parts.joined()) }
        return (message, parts.joined())
    }
}

struct InvalidFieldTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        let (message, id) = try FieldErrorTag.arguments(ctx, tag: "invalid")
        return .string(Self.html(message, id: id))
    }

    /// The attributes for pages written in Swift: nothing when `message` is nil or empty.
    static func html(_ message: String?, id: String) -> String {
        guard let message, !message.isEmpty else { return "" }
        return #" aria-invalid="true" aria-describedby="\#(id.escapedHTML)" autofocus"#
    }
}

/// `#options(list)`: the `<option>`s of a select from `[SelectOption]` — value, name, `selected` —
/// written once for every select (escaped); the `<select>` element itself stays in the template.
/// An element without a value or a name fails the render.
struct SelectOptionsTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 1, let options = ctx.parameters[0].array else {
            throw LeafError(.unknownError("#options(list): one parameter, a list of SelectOption"))
        }
        var html = ""
        for option in options {
            guard let fields = option.dictionary, let value = fields["value"]?.string, let name = fields["name"]?.string else {
                throw LeafError(.unknownError("#options(list): an option needs a value and a name"))
            }
            SelectOption.appendOption(value: value, name: name, selected: fields["selected"]?.bool == true, to: &html)
        }
        return .string(html)
    }
}
