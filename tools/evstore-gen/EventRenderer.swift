// MARK: - Event renderer

/// Turns scheduled events into lines of the store's wire format.
///
/// Every line has the same envelope, with keys in this order:
///
///     {"stream":…,"type":…,"occurred_at":…,"data":{…},
///      "metadata":{"actor":…,"correlation_id":…,"causation_id":…},"id":…}
///
/// The `id` is `gen-<seed>-<line number, 9 digits>`, so importing one file
/// twice stores nothing new. `causation_id` names the id of the line that
/// caused this one; an event that starts a workflow names its own id. Money
/// is usually a string with two decimals; a fixed share of amounts is
/// written as a bare JSON number instead, so readers meet both.
struct EventRenderer {
    /// Roughly one money field in this many is written as a JSON number.
    private static let moneyAsNumberOneIn: UInt64 = 12

    var writer: JSONLineWriter
    let vocabulary = Vocabulary()
    private let eventIDPrefix: [UInt8]
    private let correlationSalt: UInt64
    private var moneyFieldCount: UInt64 = 0

    /// Creates a renderer whose ids and correlation ids derive from `seed`.
    init(output: OutputFile, seed: UInt64) {
        writer = JSONLineWriter(output: output)
        eventIDPrefix = Array("gen-\(seed)-".utf8)
        correlationSalt = SplitMix64.mix(seed ^ 0xC0AA_E1A7_10AB_1D5E)
    }

    /// Writes any buffered lines to the output.
    ///
    /// - Throws: `OutputError.writeFailed` when the output rejects them.
    mutating func flush() throws(OutputError) {
        try writer.flush()
    }

    // MARK: Envelope

    /// Starts a line and opens its `data` object.
    mutating func begin(_ type: StaticString, stream: StreamName, occurredAt: Int64) {
        writer.append("{\"stream\":\"")
        writer.append(stream: stream)
        writer.append("\",\"type\":\"")
        writer.append(type)
        writer.append("\",\"occurred_at\":\"")
        writer.append(timestamp: occurredAt)
        writer.append("\",\"data\":{")
        writer.objectHasMembers = false
    }

    /// Closes `data`, writes the metadata and the event id, and ends the line.
    ///
    /// - Throws: `OutputError.writeFailed` when a full chunk cannot be written.
    mutating func finish(_ metadata: EventMetadata, line: Int) throws(OutputError) {
        writer.append("},\"metadata\":{\"actor\":\"")
        writer.append(user: metadata.actor)
        writer.append("\",\"correlation_id\":\"")
        writer.append(correlationKey: metadata.correlation, salt: correlationSalt)
        writer.append("\",\"causation_id\":\"")
        appendEventID(line: metadata.causeLine > 0 ? Int(metadata.causeLine) : line)
        writer.append("\"},\"id\":\"")
        appendEventID(line: line)
        writer.append("\"}")
        try writer.endLine()
    }

    private mutating func appendEventID(line: Int) {
        writer.append(eventIDPrefix)
        writer.append(unsigned: UInt64(line), width: 9)
    }

    // MARK: Fields

    /// Writes a member's key, with the comma it needs.
    private mutating func key(_ name: StaticString) {
        if writer.objectHasMembers {
            writer.append(",\"")
        } else {
            writer.append("\"")
            writer.objectHasMembers = true
        }
        writer.append(name)
        writer.append("\":")
    }

    mutating func field(_ name: StaticString, id: EntityID) {
        key(name)
        writer.append("\"")
        writer.append(id: id)
        writer.append("\"")
    }

    mutating func field(_ name: StaticString, optionalID id: EntityID?) {
        guard let id else {
            key(name)
            writer.append("null")
            return
        }
        field(name, id: id)
    }

    mutating func field(_ name: StaticString, user: Int32) {
        key(name)
        writer.append("\"")
        writer.append(user: user)
        writer.append("\"")
    }

    mutating func field(_ name: StaticString, word: StaticString) {
        key(name)
        writer.append("\"")
        writer.append(word)
        writer.append("\"")
    }

    mutating func field(_ name: StaticString, text: [UInt8]) {
        key(name)
        writer.append("\"")
        writer.append(text)
        writer.append("\"")
    }

    mutating func field(_ name: StaticString, day: CalendarDay) {
        key(name)
        writer.append("\"")
        writer.append(day: day)
        writer.append("\"")
    }

    mutating func field(_ name: StaticString, flag: Bool) {
        key(name)
        writer.append(flag ? "true" : "false")
    }

    mutating func field(_ name: StaticString, integer: Int) {
        key(name)
        writer.append(integer: integer)
    }

    /// Writes halves as a JSON number: 65 becomes `32.5`, 64 becomes `32`.
    mutating func field(_ name: StaticString, halves: Int) {
        key(name)
        writer.append(shortestHundredths: Int64(halves) * 50)
    }

    /// Writes quarter hours as a JSON number: 30 becomes `7.5`.
    mutating func field(_ name: StaticString, quarterHours: Int16) {
        key(name)
        writer.append(shortestHundredths: Int64(quarterHours) * 25)
    }

    /// Writes cents as `"1250.00"`, or now and then as the number `1250`.
    mutating func field(_ name: StaticString, money cents: Int64) {
        key(name)
        moneyFieldCount &+= 1
        if SplitMix64.mix(moneyFieldCount ^ correlationSalt) % Self.moneyAsNumberOneIn == 0 {
            writer.append(shortestHundredths: cents)
        } else {
            writer.append("\"")
            writer.append(hundredths: cents)
            writer.append("\"")
        }
    }

    mutating func field(_ name: StaticString, optionalMoney cents: Int64?) {
        guard let cents else {
            key(name)
            writer.append("null")
            return
        }
        field(name, money: cents)
    }
}
