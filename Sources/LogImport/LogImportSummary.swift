/// What a log import read, stored and left out.
public struct LogImportSummary: Sendable, Equatable {
    /// Events read from the file, mapped or not.
    public var eventsRead = 0
    /// Cases seen: runs of consecutive events with the same case id.
    public var cases = 0
    /// Events newly stored.
    public var stored = 0
    /// Events whose id was already stored with the same content.
    public var duplicates = 0
    /// Newly stored events per event type.
    public var storedByType: [String: Int] = [:]
    /// Duplicates per event type.
    public var duplicatesByType: [String: Int] = [:]
    /// Events whose activity no rule matches, per activity name.
    public var unmappedActivities: [String: Int] = [:]

    /// Creates an empty summary.
    public init() {}

    /// Events left out because no rule matches their activity.
    public var unmapped: Int { unmappedActivities.values.reduce(0, +) }

    /// Events mapped per event type, stored or duplicate.
    public var mappedByType: [String: Int] {
        storedByType.merging(duplicatesByType, uniquingKeysWith: +)
    }
}
