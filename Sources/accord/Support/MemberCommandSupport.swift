import AccordCore
import AccordStore
import ArgumentParser
import Foundation

func authorKey(_ text: String) throws -> AuthorKey {
    do {
        return try AuthorKey(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines))
    } catch {
        throw CLIError(error.message)
    }
}
