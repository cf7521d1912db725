import Foundation

/// What a master-data CSV import (D6) may hold and how each row is checked, without a database:
/// the Store supplies what already exists (`ImportKnown`), this decides every row's problems.
public enum ImportKind: String, Sendable, CaseIterable, Codable {
    case customers, objects, contacts, users

    public var columns: [ImportColumn] {
        switch self {
        case .customers:
            return [.init("customer_number", required: true, limit: 50), .init("name", required: true),
                    .init("short_code", required: true, limit: 50), .init("single_user", kind: .yesNo)]
        case .objects:
            return [.init("customer_number", required: true, limit: 50, kind: .customerNumber), .init("name", required: true),
                    .init("address", required: true, limit: 500)]
        case .contacts:
            return [.init("first_name", required: true), .init("last_name", required: true),
                    .init("email", limit: ImportRules.emailLimit, kind: .email), .init("phone", limit: 40),
                    .init("customer_numbers", limit: 2_000, kind: .customerNumbers)]
        case .users:
            return [.init("customer_number", required: true, limit: 50, kind: .customerNumber), .init("username", required: true),
                    .init("first_name", required: true), .init("last_name", required: true),
                    .init("email", limit: ImportRules.emailLimit, kind: .email), .init("phone", limit: 40),
                    .init("is_admin", kind: .yesNo)]
        }
    }
}

public struct ImportColumn: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case text, email, yesNo, customerNumber, customerNumbers }
    public let name: String
    public let required: Bool
    public let limit: Int
    public let kind: Kind
    public init(_ name: String, required: Bool = false, limit: Int = 200, kind: Kind = .text) {
        self.name = name
        self.required = required
        self.limit = limit
        self.kind = kind
    }
}

/// One problem of one row: a translation key and the values its text needs.
public struct ImportProblem: Sendable, Equatable {
    public let key: String
    public let values: [String: String]
    public init(_ key: String, _ values: [String: String] = [:]) {
        self.key = key
        self.values = values
    }
}

public struct ImportRow: Sendable {
    public let line: Int
    /// Column name → trimmed value; every known column is present (empty when absent).
    public let values: [String: String]
    public var problems: [ImportProblem]
    public subscript(_ column: String) -> String { values[column] ?? "" }
}

/// What the database already holds, for the values the file names. Keys are folded like the app
/// folds them (trimmed, lower-cased).
public struct ImportKnown: Sendable {
    /// customer number → customer id.
    public var customers: [String: Int] = [:]
    public var shortCodes: Set<String> = []
    public var contactEmails: Set<String> = []
    /// "customer number\u{1F}folded username".
    public var usernames: Set<String> = []
    /// "customer number\u{1F}folded object name".
    public var objects: Set<String> = []
    public init() {}
}

public struct ImportCheck: Sendable {
    public var rows: [ImportRow]
    /// Problems of the file as a whole (a missing column, too many rows); rows are not checked then.
    public var fileProblems: [ImportProblem]
    public var problemRows: [ImportRow] { rows.filter { !$0.problems.isEmpty } }
    public var isClean: Bool { fileProblems.isEmpty && rows.allSatisfy { $0.problems.isEmpty } }
}

public enum ImportRules {
    public static let maximumRows = 50_000
    public static let emailLimit = 254

    public static func fold(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }

    /// The same check the forms use (`EmailAddress`).
    public static func looksLikeEmail(_ text: String) -> Bool { EmailAddress.isValid(text) }

    public static func yesNo(_ text: String) -> Bool? {
        switch fold(text) {
        case "", "0", "no", "nej", "nei", "false", "n": return false
        case "1", "yes", "ja", "true", "y", "j", "x": return true
        default: return nil
        }
    }

    /// "1001 | 1002" → ["1001", "1002"].
    public static func customerNumbers(_ text: String) -> [String] {
        text.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Reads the table into rows keyed by the kind's columns. Column names match case-insensitively.
    public static func rows(_ table: CSVTable, kind: ImportKind) -> ImportCheck {
        let header = table.header.map(fold)
        var fileProblems: [ImportProblem] = []
        for column in kind.columns where column.required && !header.contains(column.name) {
            fileProblems.append(ImportProblem("import_error_missing_column", ["column": column.name]))
        }
        if table.rows.isEmpty { fileProblems.append(ImportProblem("import_error_empty")) }
        if table.rows.count > maximumRows {
            fileProblems.append(ImportProblem("import_error_too_many", ["n": String(maximumRows)]))
        }
        guard fileProblems.isEmpty else { return ImportCheck(rows: [], fileProblems: fileProblems) }
        let positions = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = table.rows.map { line, cells -> ImportRow in
            var values: [String: String] = [:]
            for column in kind.columns {
                // An export's neutralised cell ('+46 …, see `CSVWriter`) reads back as it was.
                values[column.name] = CSVWriter.unneutralised(positions[column.name].flatMap { $0 < cells.count ? cells[$0] : nil }?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
            }
            var problems: [ImportProblem] = []
            if cells.count != header.count {
                problems.append(ImportProblem("import_problem_columns", ["n": String(cells.count), "m": String(header.count)]))
            }
            return ImportRow(line: line, values: values, problems: problems)
        }
        return ImportCheck(rows: rows, fileProblems: [])
    }

    /// Every row's problems: required, length, e-mail, yes/no, unknown customer numbers, and
    /// duplicates within the file and against what exists.
    public static func check(_ table: CSVTable, kind: ImportKind, known: ImportKnown) -> ImportCheck {
        var result = rows(table, kind: kind)
        guard result.fileProblems.isEmpty else { return result }
        var firstLine: [String: [String: Int]] = [:]
        func duplicate(_ column: String, key: String, shown: String, row: ImportRow, existing: Bool) -> [ImportProblem] {
            var found: [ImportProblem] = []
            if let line = firstLine[column]?[key] {
                found.append(ImportProblem("import_problem_duplicate_file", ["column": column, "value": shown, "line": String(line)]))
            } else {
                firstLine[column, default: [:]][key] = row.line
            }
            if existing { found.append(ImportProblem("import_problem_duplicate_database", ["column": column, "value": shown])) }
            return found
        }
        for index in result.rows.indices {
            let row = result.rows[index]
            var problems = row.problems
            for column in kind.columns {
                let value = row[column.name]
                if value.isEmpty {
                    if column.required { problems.append(ImportProblem("import_problem_required", ["column": column.name])) }
                    continue
                }
                if value.count > column.limit {
                    problems.append(ImportProblem("import_problem_too_long", ["column": column.name]))
                    continue
                }
                switch column.kind {
                case .text: break
                case .email:
                    if !looksLikeEmail(value) { problems.append(ImportProblem("import_problem_email", ["column": column.name])) }
                case .yesNo:
                    if yesNo(value) == nil { problems.append(ImportProblem("import_problem_yes_no", ["column": column.name])) }
                case .customerNumber:
                    if known.customers[value] == nil {
                        problems.append(ImportProblem("import_problem_unknown_customer", ["value": value]))
                    }
                case .customerNumbers:
                    for number in customerNumbers(value) where known.customers[number] == nil {
                        problems.append(ImportProblem("import_problem_unknown_customer", ["value": number]))
                    }
                }
            }
            switch kind {
            case .customers:
                let number = row["customer_number"], code = fold(row["short_code"])
                if !number.isEmpty {
                    problems += duplicate("customer_number", key: number, shown: number, row: row, existing: known.customers[number] != nil)
                }
                if !code.isEmpty {
                    problems += duplicate("short_code", key: code, shown: row["short_code"], row: row, existing: known.shortCodes.contains(code))
                }
            case .objects:
                let key = "\(row["customer_number"])\u{1F}\(fold(row["name"]))"
                if !row["name"].isEmpty, !row["customer_number"].isEmpty {
                    problems += duplicate("name", key: key, shown: row["name"], row: row, existing: known.objects.contains(key))
                }
            case .contacts:
                let email = fold(row["email"])
                if !email.isEmpty {
                    problems += duplicate("email", key: email, shown: row["email"], row: row, existing: known.contactEmails.contains(email))
                }
            case .users:
                let key = "\(row["customer_number"])\u{1F}\(fold(row["username"]))"
                if !row["username"].isEmpty, !row["customer_number"].isEmpty {
                    problems += duplicate("username", key: key, shown: row["username"], row: row, existing: known.usernames.contains(key))
                }
            }
            result.rows[index].problems = problems
        }
        return result
    }
}
