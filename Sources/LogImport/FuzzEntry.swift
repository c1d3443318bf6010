import Foundation

/// The XES and CSV readers as the fuzzer (`tools/evstore-fuzz`) and the tests
/// that replay its findings drive them. Any bytes are valid input; an error is
/// a fine outcome, a crash is a defect.
package enum LogReaderFuzzEntry {
    /// Writes `bytes` to a file in `scratch` and reads every event of it.
    /// - Returns: the number of events read before the end or an error.
    @discardableResult
    package static func run(_ bytes: [UInt8], format: LogFormat, scratch: String) -> Int {
        let path = scratch + "/input." + format.rawValue
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            fatalError("cannot write \(path)")
        }
        guard let source = try? LogSource(path: path) else { return 0 }
        // Locations count from 1 (a CSV's header is line 1) and only go forward.
        var previous: (Int, Int) = (0, 0)
        var events = 0
        try? source.reader.forEachEvent { event in
            let place: (Int, Int)
            switch event.location {
            case .line(let line): place = (line, 0)
            case .event(let trace, let event): place = (trace, event)
            }
            precondition(place.0 >= 1 && place > previous,
                         "location \(event.location) after \(previous)")
            previous = place
            events += 1
        }
        return events
    }
}
