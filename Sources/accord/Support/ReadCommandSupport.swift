import AccordCore
import AccordStore
import ArgumentParser
import Foundation

extension JSONValue {
    /// A value as people read it.
    var display: String { ChangeText.value(self).oneLine }
}

func short(_ author: String) -> String { String(author.prefix(20)).oneLine + "…" }
