/// The JSON Lines decoder as the fuzzer (`tools/evstore-fuzz`) and the tests
/// that replay its findings drive it. Any bytes are valid input; an error is a
/// fine outcome, a crash or a broken invariant is a defect.
package enum WireFuzzEntry {
    /// Parses `bytes` as JSON and as one wire-format line. When the JSON parses,
    /// writing it back and parsing again must give the same value.
    package static func run(_ bytes: UnsafeRawBufferPointer) {
        if let value = try? JSONParser.parse(bytes) {
            var written: [UInt8] = []
            JSONWriter.appendValue(value, to: &written)
            guard let again = try? JSONParser.parse(written), again == value else {
                fatalError("JSON written back does not parse to the same value: "
                    + String(decoding: written, as: UTF8.self))
            }
        }
        _ = try? WireCodec.decodeLine(bytes, line: 1)
    }
}
