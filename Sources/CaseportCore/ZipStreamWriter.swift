import Foundation

/// A ZIP archive written front to back as it is sent (E3's personal-data export): each entry is stored
/// (no compression — the files are mostly images and PDFs already compressed) with its CRC and sizes
/// in a data descriptor after the bytes, so nothing has to be known, buffered or sought back to; the
/// central directory at the end repeats them. Names are UTF-8 (flag bit 11). No ZIP64: an archive or
/// entry over 4 GiB is refused (`ZipStreamError.tooLarge`); the export's files are far smaller.
///
/// Use: `begin(name)` returns the local header, `append(bytes)` passes bytes through while counting,
/// `end()` returns the data descriptor, `finish()` the central directory and its end record.
public struct ZipStreamWriter: Sendable {
    struct Entry: Sendable {
        var name: [UInt8]
        var crc: UInt32
        var size: UInt32
        var offset: UInt32
    }

    private var entries: [Entry] = []
    private var offset: UInt64 = 0
    private var current: (name: [UInt8], offset: UInt64, crc: UInt32, size: UInt64)?
    private let dosTime: UInt16
    private let dosDate: UInt16

    public init(modified: Date = Date()) {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: modified)
        dosTime = UInt16((parts.hour ?? 0) << 11 | (parts.minute ?? 0) << 5 | (parts.second ?? 0) / 2)
        dosDate = UInt16(max(0, (parts.year ?? 1980) - 1980) << 9 | (parts.month ?? 1) << 5 | (parts.day ?? 1))
    }

    /// The local header of a new entry; the previous entry must have ended.
    public mutating func begin(_ name: String) throws -> [UInt8] {
        precondition(current == nil, "ZipStreamWriter: end() the entry before beginning another")
        let nameBytes = Array(name.utf8)
        var header: [UInt8] = []
        header.le32(0x0403_4b50)
        header.le16(20)                 // version needed: 2.0
        header.le16(0x0808)             // sizes in a data descriptor; UTF-8 names
        header.le16(0)                  // stored
        header.le16(dosTime)
        header.le16(dosDate)
        header.le32(0); header.le32(0); header.le32(0)   // CRC and sizes follow in the descriptor
        header.le16(UInt16(nameBytes.count))
        header.le16(0)
        header += nameBytes
        current = (nameBytes, offset, 0, 0)
        try advance(header.count)
        return header
    }

    /// Counts `bytes` into the open entry; the caller sends them unchanged.
    public mutating func append(_ bytes: some Collection<UInt8>) throws {
        guard var entry = current else { preconditionFailure("ZipStreamWriter: begin() an entry first") }
        entry.crc = CRC32.update(entry.crc, bytes)
        entry.size += UInt64(bytes.count)
        guard entry.size <= UInt64(UInt32.max) else { throw ZipStreamError.tooLarge }
        current = entry
        try advance(bytes.count)
    }

    /// The data descriptor closing the open entry.
    public mutating func end() throws -> [UInt8] {
        guard let entry = current else { preconditionFailure("ZipStreamWriter: no entry is open") }
        var descriptor: [UInt8] = []
        descriptor.le32(0x0807_4b50)
        descriptor.le32(entry.crc)
        descriptor.le32(UInt32(entry.size))
        descriptor.le32(UInt32(entry.size))
        entries.append(Entry(name: entry.name, crc: entry.crc, size: UInt32(entry.size), offset: UInt32(entry.offset)))
        current = nil
        try advance(descriptor.count)
        return descriptor
    }

    /// A whole entry at once (the JSON files).
    public mutating func entry(_ name: String, _ bytes: [UInt8]) throws -> [UInt8] {
        var out = try begin(name)
        try append(bytes)
        out += bytes
        out += try end()
        return out
    }

    /// The central directory and the end record.
    public mutating func finish() throws -> [UInt8] {
        precondition(current == nil, "ZipStreamWriter: end() the last entry first")
        guard entries.count < 0xFFFF else { throw ZipStreamError.tooLarge }
        let start = offset
        var directory: [UInt8] = []
        for entry in entries {
            directory.le32(0x0201_4b50)
            directory.le16(0x0314)      // made by: Unix, 2.0
            directory.le16(20)
            directory.le16(0x0808)
            directory.le16(0)
            directory.le16(dosTime)
            directory.le16(dosDate)
            directory.le32(entry.crc)
            directory.le32(entry.size)
            directory.le32(entry.size)
            directory.le16(UInt16(entry.name.count))
            directory.le16(0); directory.le16(0); directory.le16(0); directory.le16(0)
            directory.le32(0o100644 << 16)  // a regular file, rw-r--r--
            directory.le32(entry.offset)
            directory += entry.name
        }
        try advance(directory.count)
        var end: [UInt8] = []
        end.le32(0x0605_4b50)
        end.le16(0); end.le16(0)
        end.le16(UInt16(entries.count)); end.le16(UInt16(entries.count))
        end.le32(UInt32(directory.count))
        end.le32(UInt32(start))
        end.le16(0)
        return directory + end
    }

    private mutating func advance(_ count: Int) throws {
        offset += UInt64(count)
        guard offset <= UInt64(UInt32.max) else { throw ZipStreamError.tooLarge }
    }
}

public enum ZipStreamError: Error, Equatable {
    case tooLarge
}

/// CRC-32 (ISO 3309, the polynomial ZIP and PNG use), table-driven.
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    public static func update(_ crc: UInt32, _ bytes: some Collection<UInt8>) -> UInt32 {
        var value = ~crc
        for byte in bytes { value = table[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8) }
        return ~value
    }

    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 { update(0, bytes) }
}

extension [UInt8] {
    mutating func le16(_ value: UInt16) { append(UInt8(value & 0xFF)); append(UInt8(value >> 8)) }
    mutating func le32(_ value: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) } }
}
