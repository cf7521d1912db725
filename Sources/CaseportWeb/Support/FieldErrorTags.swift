import LeafKit

/// The error line beside a form field, written once for every form:
///
///     <input id="subject" name="subject" value="#(values.subject)"#invalid(errors.subject, "subject-error")>
///     #fieldError(errors.subject, "subject-error")
///
/// `#fieldError(message, id)` renders `<p class="field-error" id="…">message</p>` when there is a
/// message, else nothing; `#invalid(message, id)` the matching `aria-invalid` and `aria-describedby`
/// attributes (with a leading space). Both escape what they print.
struct FieldErrorTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        let (message, id) = try FieldErrorTag.arguments(ctx, tag: "fieldError")
        guard let message else { return .string("") }
        return .string(#"<p class="field-error" id="\#(id.htmlEscaped())">\#(message.htmlEscaped())</p>"#)
    }

    /// The message (nil when the field has none) and the id of the error line.
    static func arguments(_ ctx: LeafContext, tag: String) throws -> (String?, String) {
        guard ctx.parameters.count == 2, let id = ctx.parameters[1].string, !id.isEmpty else {
            throw LeafError(.unknownError("#\(tag)(message, \"id\"): two parameters, the second a non-empty id"))
        }
        let value = ctx.parameters[0]
        guard !value.isNil, let message = value.string, !message.isEmpty else { return (nil, id) }
        return (message, id)
    }
}

struct InvalidFieldTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        let (message, id) = try FieldErrorTag.arguments(ctx, tag: "invalid")
        guard message != nil else { return .string("") }
        return .string(#" aria-invalid="true" aria-describedby="\#(id.htmlEscaped())""#)
    }
}
