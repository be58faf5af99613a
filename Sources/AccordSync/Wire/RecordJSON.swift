public import AccordCore
public import AccordStore

// A record as the API and `accord show --json` answer it.

extension Curation {
    /// A record as the API and `accord show --json` give it: its fields, `withdrawn`, and
    /// `conflicts` (per field, each concurrent value with its event id, author key, the
    /// author's member name and time).
    public func recordJSON(_ state: RecordState) throws -> JSONValue {
        // Names only when a conflict shows authors (a membership read per record otherwise).
        let names = state.fields.values.contains(where: \.inConflict) ? try log.membership().members.mapValues(\.name) : [:]
        var o = state.record.json.objectValue ?? [:]
        o["withdrawn"] = .bool(state.withdrawn)
        var conflicts: [String: JSONValue] = [:]
        for (f, st) in state.fields where st.inConflict {
            conflicts[f.rawValue] = .array(
                st.heads.map {
                    [
                        "id": .string($0.id), "value": $0.value, "author": .string($0.author),
                        "authorName": names[$0.author].map(JSONValue.string) ?? .null, "time": .string($0.time),
                    ]
                })
        }
        o["conflicts"] = .object(conflicts)
        return .object(o)
    }
}
