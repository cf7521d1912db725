import Foundation

// libFuzzer entry for the RFC 4180 reader behind the CSV import (issue 9). Built by
// scripts/fuzz-parsers.sh together with Sources/CaseportCore/CSVTable.swift and CSVTextDecoding.swift
// (every byte sequence decodes: UTF-8 when valid, otherwise Windows-1252).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    if let table = try? CSVTable.parse(data: bytes) {
        _ = table.header.count
        _ = table.rows.count
    }
    return 0
}
