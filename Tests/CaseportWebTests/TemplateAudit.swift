@testable import CaseportWeb
import Foundation
import LeafKit
import NIOCore
import Vapor

/// Leaf renders a variable the context lacks, and a translation key a language lacks, as an empty
/// string. In tests, every render goes through `AuditingRenderer`, which reads the template (with
/// the partials and layout it extends), finds every variable it reads — `#(a.b)`, `#if(…)`,
/// `#for(x in a.b)`, tag parameters — and resolves each against the actual context value by
/// reflection: a name the context's type does not have, or a `layout.t.key` the language's strings
/// do not have, is a problem. Optional fields count as present even when nil; dictionaries (form
/// values, errors) and empty lists cannot be checked further and are skipped.
final class TemplateAudit: @unchecked Sendable {
    let viewsDirectory: URL
    private let lock = NSLock()
    private var problems: [String: Set<String>] = [:]
    private(set) var rendered: Set<String> = []
    private var sources: [String: String] = [:]

    init(viewsDirectory: URL) { self.viewsDirectory = viewsDirectory }

    /// Every problem found so far, as "template: problem".
    var findings: [String] {
        lock.withLock { problems.flatMap { name, set in set.map { "\(name): \($0)" } }.sorted() }
    }

    var renderedTemplates: Set<String> { lock.withLock { rendered } }

    func check(_ name: String, context: Any) {
        let found: Set<String>
        do {
            let source = try expanded(name, depth: 0)
            var checker = ReferenceChecker(root: context) { [weak self] partial in try? self?.expanded(partial, depth: 1) }
            checker.walk(source)
            found = checker.problems
        } catch {
            found = ["cannot read the template: \(error)"]
        }
        lock.withLock {
            rendered.insert(name)
            if !found.isEmpty { problems[name, default: []].formUnion(found) }
        }
    }

    /// The template's text with each `#extend("x")` partial put in place and each extended layout
    /// (`#extend("x"):` … `#endextend`) appended: all of it reads the same context.
    func expanded(_ name: String, depth: Int) throws -> String {
        guard depth < 10 else { return "" }
        var text = try source(name)
        var appended = ""
        let pattern = try NSRegularExpression(pattern: #"#extend\("([^"]+)"\)(:?)"#)
        while let match = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) {
            let whole = Range(match.range, in: text)!
            let partial = String(text[Range(match.range(at: 1), in: text)!])
            let hasBody = !Range(match.range(at: 2), in: text)!.isEmpty
            let inner = try expanded(partial, depth: depth + 1)
            if hasBody {
                appended += "\n" + inner
                text.replaceSubrange(whole, with: "")
            } else {
                text.replaceSubrange(whole, with: inner)
            }
        }
        return text + appended
    }

    private func source(_ name: String) throws -> String {
        if let kept = lock.withLock({ sources[name] }) { return kept }
        let text = try String(contentsOf: viewsDirectory.appendingPathComponent(name + ".leaf"), encoding: .utf8)
        lock.withLock { sources[name] = text }
        return text
    }
}

/// Walks one template's tags in order, keeping the loop variables in scope.
struct ReferenceChecker {
    let root: Any
    /// The text of a partial, for `#extend("partial", value)`, which renders it with `value` as its whole context.
    let partial: (String) -> String?
    var problems: Set<String> = []
    /// Innermost last: loop variable → its first element (nil when the list was empty or unknown).
    private var scopes: [[String: Any?]] = []

    init(root: Any, partial: @escaping (String) -> String?) {
        self.root = root
        self.partial = partial
    }

    private static let tagStart = try! NSRegularExpression(pattern: #"#([A-Za-z]*)\(|#endfor\b"#)
    private static let identifier = try! NSRegularExpression(pattern: #"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?![A-Za-z0-9_]*\()"#)
    private static let keywords: Set<String> = ["in", "true", "false", "nil"]
    /// What Leaf puts in scope inside every loop.
    private static let loopNames: Set<String> = ["isFirst", "isLast", "index"]

    mutating func walk(_ text: String) {
        let ns = text as NSString
        var position = 0
        while let match = Self.tagStart.firstMatch(in: text, range: NSRange(location: position, length: ns.length - position)) {
            let tag = match.range(at: 1).location == NSNotFound ? nil : ns.substring(with: match.range(at: 1))
            guard let tag else {  // #endfor
                if !scopes.isEmpty { scopes.removeLast() }
                position = match.range.upperBound
                continue
            }
            // The parameters: up to the matching parenthesis, outside string literals.
            var depth = 1, index = match.range.upperBound, inString = false
            while index < ns.length, depth > 0 {
                let character = ns.character(at: index)
                if character == 0x22 { inString.toggle() }
                else if !inString, character == 0x28 { depth += 1 }
                else if !inString, character == 0x29 { depth -= 1 }
                index += 1
            }
            let parameters = ns.substring(with: NSRange(location: match.range.upperBound, length: max(0, index - 1 - match.range.upperBound)))
            position = index
            switch tag {
            case "extend" where parameters.contains(","):
                let parts = parameters.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                let name = parts[0].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                switch resolve(parts[1]) {
                case .missing(let why): problems.insert(why)
                case .unknown: break
                case .found(let value):
                    guard let text = partial(name) else { problems.insert("no partial \(name)"); continue }
                    var inner = ReferenceChecker(root: value, partial: partial)
                    inner.walk(text)
                    problems.formUnion(inner.problems.map { "\(name) with \(parts[1]): \($0)" })
                }
            case "extend", "export", "import":
                continue
            case "for":
                let parts = parameters.components(separatedBy: " in ")
                guard parts.count == 2 else { problems.insert("unreadable loop #for(\(parameters))"); continue }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                let list = parts[1].trimmingCharacters(in: .whitespaces)
                switch resolve(list) {
                case .missing(let why): problems.insert(why); scopes.append([name: nil])
                case .unknown: scopes.append([name: nil])
                case .found(let value): scopes.append([name: Self.firstElement(of: value)])
                }
            default:
                check(expression: parameters)
            }
        }
    }

    private mutating func check(expression: String) {
        let withoutStrings = expression.replacingOccurrences(of: #""[^"]*""#, with: "\"\"", options: .regularExpression)
        let ns = withoutStrings as NSString
        for match in Self.identifier.matches(in: withoutStrings, range: NSRange(location: 0, length: ns.length)) {
            // An identifier directly after a dot or a digit is part of something else (a number).
            if match.range.location > 0 {
                let before = ns.character(at: match.range.location - 1)
                if before == 0x2E || (0x30...0x39).contains(before) { continue }
            }
            let path = ns.substring(with: match.range)
            guard !Self.keywords.contains(path) else { continue }
            if case .missing(let why) = resolve(path) { problems.insert(why) }
        }
    }

    enum Resolution {
        case found(Any)
        case unknown
        case missing(String)
    }

    private func resolve(_ path: String) -> Resolution {
        let names = path.split(separator: ".").map(String.init)
        guard let first = names.first else { return .unknown }
        var current: Any
        if let bound = scopes.last(where: { $0.keys.contains(first) }) {
            guard let value = bound[first] ?? nil else { return .unknown }
            current = value
        } else if !scopes.isEmpty, Self.loopNames.contains(first) {
            return .unknown
        } else {
            current = root
        }
        let start = scopes.contains(where: { $0.keys.contains(first) }) ? 1 : 0
        var walked = start == 1 ? [first] : []
        for name in names[start...] {
            switch Self.step(current, name) {
            case .found(let next): current = next
            case .unknown: return .unknown
            case .missing(let why): return .missing("\(path): \(why) at \(walked.isEmpty ? "the context" : walked.joined(separator: "."))")
            }
            walked.append(name)
        }
        return .found(current)
    }

    static func step(_ value: Any, _ name: String) -> Resolution {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return .unknown }
            return step(wrapped, name)
        }
        if let strings = value as? PageStrings {
            return strings.table[name].map { .found($0) } ?? .missing("no translation key \"\(name)\"")
        }
        switch mirror.displayStyle {
        case .struct, .class:
            var type: Mirror? = mirror
            while let current = type {
                if let child = current.children.first(where: { $0.label == name || $0.label == "_" + name }) {
                    return .found(child.value)
                }
                type = current.superclassMirror
            }
            // A value that hands Leaf its own `leafData` may give a field only there (the frame's
            // `headerHTML`, session 12): what Leaf sees is what counts.
            if let representable = value as? any LeafDataRepresentable, let field = representable.leafData.dictionary?[name] {
                return .found(field)
            }
            return .missing("no field \"\(name)\" in \(mirror.subjectType)")
        case .dictionary, .enum:
            return .unknown
        case .collection, .set, .tuple:
            return .missing("\"\(name)\" read from a list (\(mirror.subjectType))")
        default:
            return .missing("\"\(name)\" read from a \(mirror.subjectType) value")
        }
    }

    static func firstElement(of value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return nil }
            return firstElement(of: wrapped)
        }
        return mirror.children.first?.value
    }
}

/// The app's renderer with the audit in front of every render.
struct AuditingRenderer: ViewRenderer {
    let inner: any ViewRenderer
    let audit: TemplateAudit

    func `for`(_ request: Request) -> any ViewRenderer {
        AuditingRenderer(inner: inner.for(request), audit: audit)
    }

    func render<E: Encodable>(_ name: String, _ context: E) -> EventLoopFuture<View> {
        audit.check(name, context: context)
        return inner.render(name, context)
    }
}
