import EventModel
import EventStore
import Foundation

/// The store's own stream of rule changes.
public let rulesStream = "$rules"

extension ProjectionEngine {
    // MARK: - Rules in force

    /// Appends a `RulesChanged` event to `$rules` for every projection whose
    /// rules differ from the last ones recorded there (actor, hash and the rule
    /// file's full content), so that replays can use the rules in force at
    /// their cut-off and `evstore audit '$rules'` shows who changed what.
    /// - Returns: the names of the projections whose rules were recorded.
    @discardableResult
    public func recordRules(actor: String) throws -> [String] {
        let recorded = try recordedRules()
        var changed: [String] = []
        for registration in registrations where registration.withRules != nil {
            let last = recorded.last { $0.projection == registration.name }
            guard last?.hash != registration.rulesHash else { continue }
            var data: [UInt8] = Array(#"{"projection":"#.utf8)
            JSONWriter.appendString(registration.name, to: &data)
            data += Array(#","hash":"#.utf8)
            JSONWriter.appendString(registration.rulesHash, to: &data)
            data += Array(#","actor":"#.utf8)
            JSONWriter.appendString(actor, to: &data)
            data += Array(#","content":"#.utf8)
            JSONWriter.appendString(String(decoding: registration.rules, as: UTF8.self),
                                    to: &data)
            data.append(UInt8(ascii: "}"))
            var event = NewEvent(type: "RulesChanged", data: "{}",
                                 metadata: #"{"actor":\#(JSONWriter.quoted(actor))}"#)
            event.data = data
            _ = try store.appendSystem([event], to: rulesStream)
            changed.append(registration.name)
        }
        return changed
    }

    struct RecordedRules {
        var projection: String
        var hash: String
        var content: String
        var recordedAt: Timestamp
    }

    func recordedRules() throws -> [RecordedRules] {
        try store.read(stream: rulesStream).compactMap { event in
            guard event.type == "RulesChanged" else { return nil }
            let data = try event.dataObject()
            guard let projection = data.string("projection"), let hash = data.string("hash"),
                  let content = data.string("content") else { return nil }
            return RecordedRules(projection: projection, hash: hash, content: content,
                                 recordedAt: event.recordedAt)
        }
    }

    /// The projection with the rules in force at `time`: the last recorded at
    /// or before it, else the first ever recorded (rules recorded later were
    /// the only ones known); nil when `$rules` has none for it.
    func rulesInForce(for registration: RegisteredProjection,
                      at time: Timestamp) throws -> RegisteredProjection? {
        guard let withRules = registration.withRules else { return nil }
        let history = try recordedRules().filter { $0.projection == registration.name }
        guard let inForce = history.last(where: { $0.recordedAt <= time }) ?? history.first
        else { return nil }
        if inForce.hash == registration.rulesHash { return registration }
        return try withRules(Array(inForce.content.utf8))
    }

    // MARK: - Snapshots

    /// The latest snapshot at or before `position` under the registration's
    /// rules and version.
    func snapshot(for registration: RegisteredProjection,
                  atOrBefore position: Int) throws -> (position: Int, state: [UInt8])? {
        try withDatabase { database in
            try database.snapshot(name: registration.name, rulesHash: registration.rulesHash,
                                  version: registration.projection.version,
                                  atOrBefore: position)
        }
    }
}
