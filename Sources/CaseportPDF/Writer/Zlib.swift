import CZlib
import Foundation

/// zlib (RFC 1950) through the system library: PDF's FlateDecode streams, and PNG's IDAT data.
enum Zlib {
    enum Failure: Error { case corrupt }

    static func deflate(_ input: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { source in
                compress2(out.baseAddress, &length, source.baseAddress, uLong(input.count), Z_DEFAULT_COMPRESSION)
            }
        }
        precondition(status == Z_OK, "zlib compress2 failed (\(status))")
        return Array(output.prefix(Int(length)))
    }

    /// Inflates a zlib stream whose decoded size is known (a PNG's is height × (1 + row bytes)).
    static func inflate(_ input: [UInt8], expectedSize: Int) throws -> [UInt8] {
        guard expectedSize > 0, expectedSize <= 256 * 1_048_576 else { throw Failure.corrupt }
        var length = uLong(expectedSize)
        var output = [UInt8](repeating: 0, count: expectedSize)
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { source in
                uncompress(out.baseAddress, &length, source.baseAddress, uLong(input.count))
            }
        }
        guard status == Z_OK, Int(length) == expectedSize else { throw Failure.corrupt }
        return output
    }
}
