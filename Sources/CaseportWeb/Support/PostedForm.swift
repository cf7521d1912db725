import CaseportCore
import Vapor

/// A page's posted form as one typed value: `let form = try request.form(CustomerForm.self)`.
///
/// Decoded the way browsers send forms, so no form post is ever a decoding error: a text field that
/// was not sent is "" (or nil when the property is optional); a checkbox is `true` when it was sent with
/// a value other than "" or "0"; a number that does not parse is nil (declare numbers optional). Texts are
/// cut one character past `longestValue`, so "too long" can still be told apart and shown. A form that
/// is also `Encodable` gives the page back everything the user typed when the operation answers with
/// problems. Fields whose names vary (a case type's own fields) are read in `init(from:)` through
/// `container.allKeys`.
protocol PostedForm: Decodable {
    /// The longest value kept of any field, plus one character.
    static var longestValue: Int { get }
}

extension PostedForm {
    static var longestValue: Int { InputLimits.description }
}

extension Request {
    func form<Form: PostedForm>(_ type: Form.Type) throws -> Form {
        try Form(from: FormValueDecoder(values: formValues(longest: Form.longestValue)))
    }
}

/// The decoder behind `PostedForm`: a flat name → value map, read leniently (see `PostedForm`).
struct FormValueDecoder: Decoder {
    var values: [String: String]
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(values: values, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a posted form is flat"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(String.self, .init(codingPath: codingPath, debugDescription: "a posted form is a set of named fields"))
    }

    static func ticked(_ value: String?) -> Bool {
        guard let value else { return false }
        return value != "" && value != "0"
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        var values: [String: String]
        var codingPath: [any CodingKey]
        var allKeys: [Key] { values.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }
        func decodeNil(forKey key: Key) throws -> Bool { values[key.stringValue] == nil }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { values[key.stringValue] ?? "" }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { FormValueDecoder.ticked(values[key.stringValue]) }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { FormValueDecoder.ticked(values[key.stringValue]) }

        func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
            guard let number = try decodeIfPresent(Int.self, forKey: key) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not a number; declare it Int?")
            }
            return number
        }

        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
            values[key.stringValue].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }

        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try number(key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try number(key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try number(key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try number(key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try number(key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try number(key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try number(key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try number(key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try number(key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try number(key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try number(key) }

        private func number<Number: LosslessStringConvertible>(_ key: Key) throws -> Number {
            guard let number = values[key.stringValue].flatMap({ Number($0.trimmingCharacters(in: .whitespaces)) }) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not a number; declare it optional")
            }
            return number
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            // Values such as a String-backed enum decode from their one text.
            try T(from: SingleValue(value: values[key.stringValue] ?? "", codingPath: codingPath + [key]))
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let value = values[key.stringValue] else { return nil }
            return try? T(from: SingleValue(value: value, codingPath: codingPath + [key]))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "a posted form is flat")
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "a posted form is flat")
        }

        func superDecoder() throws -> any Decoder { FormValueDecoder(values: values, codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> any Decoder { FormValueDecoder(values: values, codingPath: codingPath) }
    }

    /// One field's text, for a value type that decodes itself from a single value.
    struct SingleValue: Decoder, SingleValueDecodingContainer {
        var value: String
        var codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "one form value"))
        }
        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "one form value"))
        }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

        func decodeNil() -> Bool { false }
        func decode(_ type: String.Type) throws -> String { value }
        func decode(_ type: Bool.Type) throws -> Bool { FormValueDecoder.ticked(value) }
        func decode(_ type: Int.Type) throws -> Int {
            guard let number = Int(value.trimmingCharacters(in: .whitespaces)) else {
                throw DecodingError.dataCorruptedError(in: self, debugDescription: "not a number")
            }
            return number
        }
        func decode(_ type: Double.Type) throws -> Double { try number() }
        func decode(_ type: Float.Type) throws -> Float { try number() }
        func decode(_ type: Int8.Type) throws -> Int8 { try number() }
        func decode(_ type: Int16.Type) throws -> Int16 { try number() }
        func decode(_ type: Int32.Type) throws -> Int32 { try number() }
        func decode(_ type: Int64.Type) throws -> Int64 { try number() }
        func decode(_ type: UInt.Type) throws -> UInt { try number() }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try number() }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try number() }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try number() }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try number() }

        private func number<Number: LosslessStringConvertible>() throws -> Number {
            guard let number = Number(value.trimmingCharacters(in: .whitespaces)) else {
                throw DecodingError.dataCorruptedError(in: self, debugDescription: "not a number")
            }
            return number
        }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "a form value is text, a tick or a number"))
        }
    }
}
