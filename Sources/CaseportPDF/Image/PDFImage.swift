import Foundation

/// A raster image ready for a PDF image XObject (8.9). JPEG is embedded as it is (DCTDecode: the
/// viewer decodes it); PNG is inflated with zlib, unfiltered into RGB(A) and written as a Flate
/// image, with its alpha as a soft mask (/SMask) when it has transparency. Other formats (GIF, WebP),
/// interlaced PNGs and damaged files give nil, and the report is made without the logo.
public struct PDFImage: Sendable {
    public let width: Int
    public let height: Int
    enum Pixels: Sendable {
        case jpeg(data: [UInt8], components: Int)
        case raw(rgb: [UInt8], alpha: [UInt8]?)
    }
    let pixels: Pixels

    public init?(data: [UInt8]) {
        if data.starts(with: [0xFF, 0xD8]) {
            guard let image = Self.jpeg(data) else { return nil }
            self = image
        } else if data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            guard let image = try? Self.png(data) else { return nil }
            self = image
        } else {
            return nil
        }
    }

    init(width: Int, height: Int, pixels: Pixels) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Writes the image (and its soft mask) into `number`.
    func write(into writer: inout PDFObjectWriter, number: Int) {
        switch pixels {
        case .jpeg(let data, let components):
            let space = components == 1 ? "/DeviceGray" : components == 4 ? "/DeviceCMYK" : "/DeviceRGB"
            // Adobe's CMYK JPEGs are stored inverted.
            let decode = components == 4 ? " /Decode [1 0 1 0 1 0 1 0]" : ""
            writer.writeStream(number, dictionary: "/Type /XObject /Subtype /Image /Width \(width) /Height \(height) /ColorSpace \(space) /BitsPerComponent 8\(decode)",
                               data: data, alreadyFiltered: "/DCTDecode")
        case .raw(let rgb, let alpha):
            var mask = ""
            if let alpha {
                let maskNumber = writer.reserve()
                writer.writeStream(maskNumber, dictionary: "/Type /XObject /Subtype /Image /Width \(width) /Height \(height) /ColorSpace /DeviceGray /BitsPerComponent 8",
                                   data: alpha)
                mask = " /SMask \(maskNumber) 0 R"
            }
            writer.writeStream(number, dictionary: "/Type /XObject /Subtype /Image /Width \(width) /Height \(height) /ColorSpace /DeviceRGB /BitsPerComponent 8\(mask)",
                               data: rgb)
        }
    }

    // MARK: JPEG

    /// Reads the frame header (SOFn) for the size and number of components.
    static func jpeg(_ data: [UInt8]) -> PDFImage? {
        var at = 2
        while at + 4 <= data.count {
            guard data[at] == 0xFF else { return nil }
            let marker = data[at + 1]
            if marker == 0xFF { at += 1; continue }
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { at += 2; continue }
            let length = Int(data[at + 2]) << 8 | Int(data[at + 3])
            // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard at + 9 < data.count else { return nil }
                let height = Int(data[at + 5]) << 8 | Int(data[at + 6])
                let width = Int(data[at + 7]) << 8 | Int(data[at + 8])
                let components = Int(data[at + 9])
                guard width > 0, height > 0, [1, 3, 4].contains(components) else { return nil }
                return PDFImage(width: width, height: height, pixels: .jpeg(data: data, components: components))
            }
            at += 2 + length
        }
        return nil
    }

    // MARK: PNG

    static func png(_ data: [UInt8]) throws -> PDFImage? {
        let reader = ByteReader(data)
        var at = 8
        var width = 0, height = 0, depth = 0, colour = 0, interlaced = false
        var palette = [UInt8](), paletteAlpha = [UInt8](), compressed = [UInt8]()
        while at + 8 <= data.count {
            let length = Int(try reader.u32(at: at))
            let type = String(decoding: try reader.bytes(at: at + 4, count: 4), as: UTF8.self)
            let body = try reader.bytes(at: at + 8, count: length)
            switch type {
            case "IHDR":
                guard length >= 13 else { return nil }
                width = Int(try reader.u32(at: at + 8))
                height = Int(try reader.u32(at: at + 12))
                depth = Int(body[body.startIndex + 8])
                colour = Int(body[body.startIndex + 9])
                interlaced = body[body.startIndex + 12] != 0
            case "PLTE": palette = Array(body)
            case "tRNS": paletteAlpha = Array(body)
            case "IDAT": compressed += body
            case "IEND": at = data.count
            default: break
            }
            at += 12 + length
        }
        // A logo is small; refuse what would be absurd to hold in memory.
        guard width > 0, height > 0, width * height <= 16_000_000, !interlaced else { return nil }
        let channels: Int
        switch colour {
        case 0: channels = 1
        case 2: channels = 3
        case 3: channels = 1
        case 4: channels = 2
        case 6: channels = 4
        default: return nil
        }
        guard [1, 2, 4, 8, 16].contains(depth), colour == 0 || colour == 3 || depth >= 8 else { return nil }
        let bitsPerPixel = channels * depth
        let rowBytes = (width * bitsPerPixel + 7) / 8
        let raw = try Zlib.inflate(compressed, expectedSize: height * (rowBytes + 1))
        let rows = try unfilter(raw, rowBytes: rowBytes, height: height, bytesPerPixel: max(1, bitsPerPixel / 8))

        var rgb = [UInt8](), alpha = [UInt8]()
        rgb.reserveCapacity(width * height * 3)
        alpha.reserveCapacity(width * height)
        var translucent = false
        for y in 0..<height {
            let row = y * rowBytes
            for x in 0..<width {
                // The sample of channel c, scaled to 8 bits.
                func sample(_ c: Int) -> Int {
                    switch depth {
                    case 16: return Int(rows[row + (x * channels + c) * 2])
                    case 8: return Int(rows[row + x * channels + c])
                    default:
                        let bit = x * depth
                        let value = Int(rows[row + bit / 8]) >> (8 - depth - bit % 8) & ((1 << depth) - 1)
                        return colour == 3 ? value : value * 255 / ((1 << depth) - 1)
                    }
                }
                var r = 0, g = 0, b = 0, a = 255
                switch colour {
                case 0: r = sample(0); g = r; b = r
                case 2: r = sample(0); g = sample(1); b = sample(2)
                case 3:
                    let index = sample(0)
                    guard index * 3 + 2 < palette.count else { return nil }
                    r = Int(palette[index * 3]); g = Int(palette[index * 3 + 1]); b = Int(palette[index * 3 + 2])
                    if index < paletteAlpha.count { a = Int(paletteAlpha[index]) }
                case 4: r = sample(0); g = r; b = r; a = sample(1)
                default: r = sample(0); g = sample(1); b = sample(2); a = sample(3)
                }
                rgb.append(UInt8(r)); rgb.append(UInt8(g)); rgb.append(UInt8(b))
                alpha.append(UInt8(a))
                if a != 255 { translucent = true }
            }
        }
        return PDFImage(width: width, height: height, pixels: .raw(rgb: rgb, alpha: translucent ? alpha : nil))
    }

    /// Undoes PNG's per-row filters (None, Sub, Up, Average, Paeth); returns the rows without their
    /// filter bytes.
    static func unfilter(_ raw: [UInt8], rowBytes: Int, height: Int, bytesPerPixel: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: rowBytes * height)
        for y in 0..<height {
            let filter = raw[y * (rowBytes + 1)]
            let source = y * (rowBytes + 1) + 1, target = y * rowBytes
            for i in 0..<rowBytes {
                let x = Int(raw[source + i])
                let left = i >= bytesPerPixel ? Int(out[target + i - bytesPerPixel]) : 0
                let up = y > 0 ? Int(out[target - rowBytes + i]) : 0
                let upLeft = y > 0 && i >= bytesPerPixel ? Int(out[target - rowBytes + i - bytesPerPixel]) : 0
                let predicted: Int
                switch filter {
                case 0: predicted = 0
                case 1: predicted = left
                case 2: predicted = up
                case 3: predicted = (left + up) / 2
                case 4:
                    let p = left + up - upLeft
                    let pa = abs(p - left), pb = abs(p - up), pc = abs(p - upLeft)
                    predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft
                default: throw Zlib.Failure.corrupt
                }
                out[target + i] = UInt8((x + predicted) & 0xFF)
            }
        }
        return out
    }
}
