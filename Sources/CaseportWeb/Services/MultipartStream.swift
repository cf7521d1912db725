import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An incremental multipart/form-data reader (RFC 7578): feed it the body in chunks as they arrive and
/// it reports each part's headers, body bytes and end. Delimiters are found with `memmem`, so large
/// uploads are read at disk speed without holding the whole body in memory.
struct MultipartStream {
    enum Event {
        case partStart(headers: [String: String])
        case bodyBytes(ArraySlice<UInt8>)
        case partEnd
    }

    struct Malformed: Error {}

    private enum State { case preamble, afterDelimiter, headers, body, done }

    private let firstDelimiter: [UInt8]
    private let delimiter: [UInt8]
    private var pending: [UInt8] = []
    private var state = State.preamble
    static let maximumHeaderBytes = 16 * 1024

    init(boundary: String) {
        firstDelimiter = Array("--\(boundary)".utf8)
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    var isComplete: Bool { state == .done }

    mutating func feed(_ bytes: [UInt8], _ handle: (Event) throws -> Void) throws {
        pending.append(contentsOf: bytes)
        var consumed = 0
        defer { if consumed > 0 { pending.removeFirst(consumed) } }
        while true {
            let available = pending.count - consumed
            switch state {
            case .done:
                consumed = pending.count
                return
            case .preamble:
                guard let index = Self.find(firstDelimiter, in: pending, from: consumed) else {
                    consumed = max(consumed, pending.count - firstDelimiter.count)
                    return
                }
                consumed = index + firstDelimiter.count
                state = .afterDelimiter
            case .afterDelimiter:
                guard available >= 2 else { return }
                let next = (pending[consumed], pending[consumed + 1])
                if next == (UInt8(ascii: "-"), UInt8(ascii: "-")) {
                    state = .done
                } else if next == (13, 10) {
                    consumed += 2
                    state = .headers
                } else {
                    throw Malformed()
                }
            case .headers:
                guard let end = Self.find([13, 10, 13, 10], in: pending, from: consumed) else {
                    if available > Self.maximumHeaderBytes { throw Malformed() }
                    return
                }
                // A part's headers are a few short lines; a long block is an attack on memory.
                if end - consumed > Self.maximumHeaderBytes { throw Malformed() }
                let text = String(decoding: pending[consumed..<end], as: UTF8.self)
                var headers: [String: String] = [:]
                for line in text.split(separator: "\r\n") {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                    headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                consumed = end + 4
                state = .body
                try handle(.partStart(headers: headers))
            case .body:
                if let index = Self.find(delimiter, in: pending, from: consumed) {
                    if index > consumed { try handle(.bodyBytes(pending[consumed..<index])) }
                    try handle(.partEnd)
                    consumed = index + delimiter.count
                    state = .afterDelimiter
                } else {
                    // Keep what could be the start of a delimiter split across chunks.
                    let safeEnd = pending.count - (delimiter.count - 1)
                    if safeEnd > consumed {
                        try handle(.bodyBytes(pending[consumed..<safeEnd]))
                        consumed = safeEnd
                    }
                    return
                }
            }
        }
    }

    /// The first index of `needle` in `haystack` at or after `start`: memchr finds candidates for the
    /// first byte and memcmp checks them, both C library routines, fast even in debug builds.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count - start >= needle.count else { return nil }
        return haystack.withUnsafeBytes { hay -> Int? in
            needle.withUnsafeBytes { pin -> Int? in
                let base = hay.baseAddress!
                var offset = start
                let lastStart = hay.count - pin.count
                while offset <= lastStart {
                    guard let hit = memchr(base + offset, Int32(first), lastStart - offset + 1) else { return nil }
                    let position = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + position, pin.baseAddress!, pin.count) == 0 { return position }
                    offset = position + 1
                }
                return nil
            }
        }
    }
}
