import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D3 (seed 002 "Skadebehandler påmindelse"): the handler's reminder on a claim — a day and a note —
/// which puts the case on the start page under today, tomorrow or later. An empty day clears it.
/// Staff's own business: no event, and the case's version is not touched.
public enum SetClaimReminder {
    public struct Input: Sendable {
        public var caseNumber: Int
        /// The day as typed, in `language`'s form or yyyy-mm-dd.
        public var day: String
        public var note: String
        public var language: Language
        public init(caseNumber: Int, day: String, note: String, language: Language) {
            self.caseNumber = caseNumber
            self.day = day
            self.note = note
            self.language = language
        }
    }

    public enum Field: String, Hashable, Sendable { case day = "reminder_day", note = "reminder_note" }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let (record, details) = try await ClaimSupport.claim(number: input.caseNumber, in: context)
        var problems = Problems<Field>()
        let typed = input.day.trimmingCharacters(in: .whitespaces)
        let day: Date? = typed.isEmpty ? nil : ClaimTimeText.parse(typed, language: input.language)
        if !typed.isEmpty && (day == nil || typed.contains(" ")) { problems.add(.day, "form_invalid_date") }
        let note = ClaimSupport.optional(input.note)
        ClaimSupport.checkText(note, limit: InputLimits.fieldValue, field: .note, into: &problems)
        if note != nil && typed.isEmpty { problems.add(.day, ProblemKey.required) }
        guard problems.isEmpty else { return .problems(problems) }
        details.reminderOn = day
        details.reminderNote = day == nil ? nil : note
        try await details.update(on: context.database)
        return .done(record.number)
    }
}
