import CLZ4
import CZlib

/// A failure of the LZ4 library, naming the C function.
struct LZ4Error: Error, CustomStringConvertible {
    let function: String
    let message: String
    var description: String { "LZ4 \(function) failed: \(message)" }
}

/// LZ4 frame compression (the standard frame format, with its content checksum),
/// so that `lz4 -t` and `lz4 -d` can check and read a segment. All LZ4 calls of
/// the project live here.
enum LZ4Frame {
    /// Compresses `input` into one LZ4 frame with a content checksum and the
    /// content size recorded in the frame descriptor, appended to `output`.
    static func compress(_ input: UnsafeRawBufferPointer,
                         appendingTo output: inout [UInt8]) throws {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        preferences.frameInfo.contentSize = UInt64(input.count)
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.blockSizeID = LZ4F_max256KB
        preferences.compressionLevel = 0
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        let written = output.withUnsafeMutableBytes { out in
            LZ4F_compressFrame(out.baseAddress! + start, bound, input.baseAddress, input.count,
                               &preferences)
        }
        if LZ4F_isError(written) != 0 {
            output.removeSubrange(start...)
            throw LZ4Error(function: "LZ4F_compressFrame",
                           message: String(cString: LZ4F_getErrorName(written)))
        }
        output.removeSubrange((start + written)...)
    }
}

/// An LZ4 frame compression context, kept from block to block by a frame
/// encoder: compressing a 4 KB block with `LZ4F_compressFrame` would clear a
/// fresh 16 KB hash table every time. Not shared between threads.
final class LZ4Compressor {
    private let context: OpaquePointer

    init() throws {
        var context: OpaquePointer?
        let created = LZ4F_createCompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else {
            throw LZ4Error(function: "LZ4F_createCompressionContext",
                           message: String(cString: LZ4F_getErrorName(created)))
        }
        self.context = context
    }

    deinit { LZ4F_freeCompressionContext(context) }

    /// Compresses `input` into one LZ4 frame (independent blocks of at most
    /// 64 KB, content size and content checksum recorded) appended to `output`.
    func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        preferences.frameInfo.contentSize = UInt64(input.count)
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.blockSizeID = LZ4F_max64KB
        preferences.compressionLevel = 0
        preferences.autoFlush = 1
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        let context = context
        let written = try output.withUnsafeMutableBytes { bytes throws -> Int in
            let out = bytes.baseAddress! + start
            var done = 0
            let steps: [(String, (UnsafeMutableRawPointer, Int) -> Int)] = [
                ("LZ4F_compressBegin", { LZ4F_compressBegin(context, $0, $1, &preferences) }),
                ("LZ4F_compressUpdate", {
                    LZ4F_compressUpdate(context, $0, $1, input.baseAddress, input.count, nil)
                }),
                ("LZ4F_compressEnd", { LZ4F_compressEnd(context, $0, $1, nil) }),
            ]
            for (function, step) in steps {
                let result = step(out + done, bound - done)
                if LZ4F_isError(result) != 0 {
                    throw LZ4Error(function: function,
                                   message: String(cString: LZ4F_getErrorName(result)))
                }
                done += result
            }
            return done
        }
        output.removeSubrange((start + written)...)
    }
}

/// An LZ4 frame decompression context, kept from frame to frame by a reader:
/// the library allocates its block buffers once per context, not per frame.
/// Not shared between threads (each reader owns its own).
final class LZ4Decompressor {
    private let context: OpaquePointer

    init() throws {
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else {
            throw LZ4Error(function: "LZ4F_createDecompressionContext",
                           message: String(cString: LZ4F_getErrorName(created)))
        }
        self.context = context
    }

    deinit { LZ4F_freeDecompressionContext(context) }

    /// Decompresses one whole LZ4 frame whose content is `expectedSize` bytes.
    /// The frame's content checksum is checked by the library; any mismatch,
    /// truncation or trailing byte is an error.
    func decompress(_ frame: UnsafeRawBufferPointer, expectedSize: Int,
                    into output: inout [UInt8]) throws {
        output = [UInt8](unsafeUninitializedCapacity: expectedSize) { _, count in
            count = expectedSize
        }
        try output.withUnsafeMutableBytes { try decompress(frame, into: $0) }
    }

    /// Decompresses one whole LZ4 frame whose content fills `out` exactly,
    /// checking its content checksum; any mismatch, truncation or trailing
    /// byte is an error.
    func decompress(_ frame: UnsafeRawBufferPointer,
                    into out: UnsafeMutableRawBufferPointer) throws {
        // A failed frame leaves the context mid-frame; start each one clean.
        LZ4F_resetDecompressionContext(context)
        let expectedSize = out.count
        var consumed = 0
        var produced = 0
        var hint = 1
        while hint != 0 {
            var sourceSize = frame.count - consumed
            var destinationSize = expectedSize - produced
            if sourceSize == 0 {
                throw LZ4Error(function: "LZ4F_decompress", message: "frame is truncated")
            }
            hint = LZ4F_decompress(context, out.baseAddress.map { $0 + produced },
                                   &destinationSize, frame.baseAddress! + consumed,
                                   &sourceSize, nil)
            if LZ4F_isError(hint) != 0 {
                throw LZ4Error(function: "LZ4F_decompress",
                               message: String(cString: LZ4F_getErrorName(hint)))
            }
            consumed += sourceSize
            produced += destinationSize
            if hint != 0 && sourceSize == 0 && destinationSize == 0 {
                throw LZ4Error(function: "LZ4F_decompress",
                               message: "no progress; content larger than declared")
            }
        }
        if consumed != frame.count || produced != expectedSize {
            throw LZ4Error(function: "LZ4F_decompress",
                           message: "frame size mismatch (\(produced) of \(expectedSize) bytes)")
        }
    }
}

/// CRC-32 (zlib's) used for the frame header checksum.
enum Checksum {
    static func crc32(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return seed }
        var crc = UInt(seed)
        var offset = 0
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, Int(UInt32.max))
            crc = CZlib.crc32(crc, base.advanced(by: offset).assumingMemoryBound(to: Bytef.self),
                              uInt(chunk))
            offset += chunk
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
