import Foundation
import Mustache

/// The web UI's pages as Mustache templates (swift-mustache): every `{{value}}` is
/// HTML-escaped by the engine; the one unescaped value, `{{{body}}}` in the page shell, is a
/// page these templates rendered. Edit forms are rendered hidden and shown by the page's
/// script when this browser holds a key (`WebAssets.script`).
enum WebTemplates {
    static let templates: [String: String] = [
        "page": """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Accord</title>
        <link rel="stylesheet" href="/static/accord.css"><script src="/static/accord.js" defer></script></head><body>
        <header><a href="/">Accord</a><span class="muted">UN resolutions highlighting INTERPOL's role</span>
        <a href="/conflicts">Conflicts{{#conflicts}} <span class="count" title="{{.}} open">{{.}}</span>{{/conflicts}}</a><a href="/members">Members</a><a href="/peers">Peers</a><a href="/audit">Audit</a><a href="/new">New record</a><a href="/key" id="nav-key">Your key</a></header>
        {{#noAdmin}}<p class="conflict" role="alert"><strong>This dataset has no admin.</strong> Every admin key is revoked or no longer an admin (concurrent changes on offline nodes), so nobody can grant, revoke or redact any more.</p>{{/noAdmin}}
        {{{body}}}
        </body></html>
        """,
        "who": #"<span class="who" title="{{key}}">{{name}}</span>"#,
        "link": #"<a href="/record?symbol={{href}}">{{symbol}}</a>"#,
        "note": """
        <noscript><p class="note">Reading works without JavaScript. Editing needs it: your edits are signed with your key in this browser.</p></noscript>
        <p class="note" id="edit-status" role="status" aria-live="polite" hidden></p>
        """,
        "input": """
        {{#textarea}}<textarea name="{{name}}" rows="{{rows}}">{{value}}</textarea>{{/textarea}}\
        {{#date}}<input type="text" name="{{name}}" value="{{value}}" pattern="\\d{4}-\\d{2}-\\d{2}" placeholder="YYYY-MM-DD">{{/date}}\
        {{#line}}<input type="text" name="{{name}}" value="{{value}}">{{/line}}
        """,
        "heads": """
        <ul class="heads">{{#heads}}<li><span class="value">{{value}}</span> <span class="muted">by {{#who}}{{> who}}{{/who}} at {{time}}</span> \
        <form class="edit inline" data-edit="resolve" data-symbol="{{symbol}}" data-field="{{field}}" data-value="{{json}}" hidden><button>Keep this value</button></form></li>{{/heads}}</ul>
        <details class="edit-only" hidden><summary>Write a new value</summary>\
        <form class="edit stack" data-edit="resolve" data-symbol="{{symbol}}" data-field="{{field}}" hidden>{{#input}}{{> input}}{{/input}}<button>Sign and save</button></form></details>
        """,
        "search-form": """
        <form class="inline" action="/search"><input type="text" name="q" value="{{q}}" placeholder="Search titles, summaries, INTERPOL's role, notes, text (word beginnings match)" aria-label="Search"><button>Search</button></form>
        """,
        "pager": """
        {{#pager}}<p class="pager">{{#prev}}<a rel="prev" href="{{href}}">← Previous {{count}}</a>{{/prev}}{{#next}}<a rel="next" href="{{href}}">Next {{count}} →</a>{{/next}}</p>{{/pager}}
        """,
        "records": """
        {{> search-form}}
        <form class="inline filters" action="/">\
        <select name="body" aria-label="body">{{#bodies}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/bodies}}</select>\
        <input type="text" name="year" value="{{year}}" placeholder="year" aria-label="Year" size="5" class="short">\
        <input type="text" name="topic" value="{{topic}}" placeholder="topic" aria-label="Topic" class="short">\
        <select name="status" aria-label="status">{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select>\
        <select name="sort" aria-label="sort">{{#sorts}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/sorts}}</select>\
        <button>Filter</button></form>
        <p class="muted" id="count">{{range}} records</p>
        <table class="list"><thead><tr><th>Symbol</th><th>Year</th><th>Title</th></tr></thead><tbody>
        {{#records}}<tr><td class="nw">{{> link}}</td><td class="nw">{{year}}</td><td>{{title}}{{#withdrawn}} <span class="badge">withdrawn</span>{{/withdrawn}}</td></tr>
        {{/records}}</tbody></table>
        {{> pager}}
        """,
        "search": """
        {{> search-form}}
        {{#searched}}<p class="muted" id="count">{{range}} matches</p>
        <ol start="{{start}}" class="hits">{{#hits}}<li>{{> link}} {{title}}<br><span class="muted">{{snippet}}</span></li>{{/hits}}</ol>
        {{> pager}}{{/searched}}
        """,
        "members": """
        <h1>Members</h1><table><thead><tr><th>Name</th><th>Role</th><th>Key</th><th>Standing</th></tr></thead><tbody>
        {{#members}}<tr><td>{{name}}</td><td class="nw">{{role}}</td><td><code>{{key}}</code></td><td>{{standing}}</td></tr>{{/members}}
        </tbody></table><h2>Grant a key</h2>{{> note}}
        <form class="edit inline" data-edit="grant" hidden><input type="text" name="key" placeholder="ed25519:..." aria-label="Public key">\
        <input type="text" name="name" placeholder="name" aria-label="Name" class="short">\
        <select name="role" aria-label="Role"><option>editor</option><option>admin</option></select><button>Sign and grant</button></form>
        <p class="muted">Only an admin's grant counts: the node refuses one signed by any other key.</p>
        """,
        "peers": """
        <h1>Peers</h1><p>The nodes this node syncs with, and how the last sync went.</p>
        {{^peers}}<p>No peers: this node syncs with none (start it with --peer URL, or run accord sync).</p>{{/peers}}
        <table><thead><tr><th>Peer</th><th>Last attempt</th><th>Last success</th><th>Failures in a row</th><th>Last result</th></tr></thead><tbody>
        {{#peers}}<tr><td><code>{{url}}</code></td><td class="nw">{{lastAttempt}}</td><td class="nw">{{lastSuccess}}</td><td>{{failures}}</td><td>{{lastResult}}</td></tr>{{/peers}}
        </tbody></table>
        """,
        "audit": """
        <h1>Audit</h1><p>Whether this node's history and its peers' can be trusted to only grow: every event is a leaf of a signed, append-only log (Docs/transparency.md).</p>
        <h2>This node's log</h2>
        {{^own}}<p>This node serves without a key, so it signs no checkpoints.</p>{{/own}}
        {{#own}}<p>Epoch <strong>{{epoch}}</strong>: <strong>{{size}}</strong> events, checkpoint signed at {{signedAt}}.{{#restored}} The epoch is above 1: this node was restored from a backup through Accord.{{/restored}}</p>
        {{^witnesses}}<p class="muted">No witness has co-signed this checkpoint.</p>{{/witnesses}}
        {{#cosigned}}<p>Co-signed by:</p>{{/cosigned}}<ul>{{#witnesses}}<li><code>{{name}}</code> at {{time}}</li>{{/witnesses}}</ul>
        <details><summary>The checkpoint as signed</summary><pre>{{note}}</pre></details>{{/own}}
        <h2>Peers' logs</h2>
        {{^peers}}<p>This node has checked no peer's log yet (it does at every sync).</p>{{/peers}}
        {{#checked}}<table><thead><tr><th>Log</th><th>Events</th><th>Checked</th><th>Last seen at</th><th>State</th></tr></thead><tbody>
        {{#peers}}<tr><td><code>{{origin}}</code></td><td>{{size}}</td><td class="nw">{{verifiedAt}}</td><td><code>{{peer}}</code></td><td>{{#evidence}}<strong class="conflict">evidence #{{evidence}}: syncs refused</strong>{{/evidence}}{{^evidence}}consistent{{/evidence}}</td></tr>{{/peers}}
        </tbody></table>{{/checked}}
        <h2>Evidence</h2>
        {{^evidence}}<p>None: every checkpoint this node checked extended the one it held.</p>{{/evidence}}
        {{#evidence}}<div class="conflict"><p><strong>#{{id}}</strong> {{foundAt}}, <code>{{peer}}</code>: {{detail}}</p>
        <p>{{#decision}}Decided {{decidedAt}}: {{decision}}.{{/decision}}{{^decision}}Undecided: this node does not sync with that log until an admin runs <code>accord evidence decide {{id}} --trust</code> or <code>--keep</code>.{{/decision}}</p>
        <details><summary>Both signed checkpoints and the proof</summary><pre>{{held}}</pre><pre>{{seen}}</pre><pre>{{proof}}</pre></details></div>{{/evidence}}
        <h2>For an auditor</h2>
        <p>Anyone can check this node's log without Accord and without trusting this node: download the <a href="/audit/bundle.ndjson" download>auditor's bundle</a> \
        (every event up to the latest checkpoint, the checkpoint with its cosignatures, the keys) and the <a href="/audit/verify.html" download>offline verifier</a>, \
        a page that checks the bundle in a browser with no network. <code>accord audit verify FILE</code> does the same checks.</p>
        <p class="muted">The verifier's SHA-256 is <code>{{verifierSHA256}}</code> (also printed by <code>accord --version</code>).</p>
        """,
        "conflicts": """
        <h1>Conflicts</h1>{{> note}}
        {{^conflicts}}<p>No conflicts.</p>{{/conflicts}}
        {{#conflicts}}<div class="conflict">{{> link}} <strong>{{label}}</strong>: {{count}} values written concurrently{{> heads}}</div>{{/conflicts}}
        """,
        "new": """
        <h1>New record</h1>{{> note}}
        <form class="edit stack" data-edit="add" hidden><label>Symbol <input type="text" name="symbol" required placeholder="A/RES/80/5 or S/RES/2700 (2024)"></label>
        {{#fields}}<label>{{label}} {{#input}}{{> input}}{{/input}}</label><span class="muted">{{rule}}</span>{{/fields}}
        <button>Sign and add</button></form>
        """,
        "key": """
        <h1>Your key</h1>
        <p>Your edits are signed in this browser with a key of your own, kept in this browser (IndexedDB) and never sent anywhere: \
        the node only ever sees its public half and your signatures. One key per browser, like one key per laptop for the command line.</p>
        {{> note}}
        <div id="key-none" hidden><p>This browser has no key for this node yet.</p>
        <p><button id="key-create">Create a key in this browser</button></p>
        <p><label>Or import a key file made by <code>accord keygen</code>: <input type="file" id="key-import"></label></p></div>
        <div id="key-some" hidden><p>Public key: <code id="key-public"></code></p><p id="key-member"></p>
        <p>An admin makes it a member on a node that holds their admin key:</p><pre id="key-grant"></pre>
        <p><label>Your name, for the command: <input type="text" id="key-name" value="Your Name"></label></p>
        <p><button id="key-forget" class="secondary">Forget this key in this browser</button></p></div>
        """,
        "record": """
        <h1>{{symbol}}{{#withdrawn}} <span class="badge">withdrawn</span>{{/withdrawn}}</h1>
        {{#asOf}}<p class="note">As of {{asOf}}: the record as it stood then, on this node. <a href="/record?symbol={{href}}">Now</a></p>{{/asOf}}
        {{#editable}}{{> note}}{{/editable}}
        <table class="record">
        {{#fields}}<tr id="field-{{field}}"><th>{{label}}<br><a class="muted" href="/record?symbol={{href}}&amp;field={{field}}#history">history</a></th>\
        <td><div class="value">{{value}}</div>\
        {{#inConflict}}<div class="conflict"><strong>Conflict:</strong> {{count}} values written concurrently; the one shown is provisional.{{#editable}}{{> heads}}{{/editable}}</div>{{/inConflict}}\
        {{^inConflict}}{{#editable}}<details class="edit-only" hidden><summary>Edit</summary>\
        <form class="edit stack" data-edit="set" data-field="{{field}}" data-seen="{{seen}}" data-symbol="{{symbol}}" hidden>{{#input}}{{> input}}{{/input}}\
        <span class="muted">{{rule}}</span><button>Sign and save</button></form></details>{{/editable}}{{/inConflict}}</td></tr>
        {{/fields}}
        <tr id="topics"><th>Topics</th><td>{{#topics}}<span class="tag">{{topic}} {{#editable}}<form class="edit mini" data-edit="untag" data-symbol="{{symbol}}" data-topics="{{topic}}" hidden><button>×</button></form>{{/editable}}</span>{{/topics}}\
        {{#editable}}<form class="edit inline" data-edit="tag" data-symbol="{{symbol}}" hidden><input type="text" name="topics" placeholder="topics, comma separated" aria-label="New topics"><button>Add topics</button></form>{{/editable}}</td></tr>
        <tr id="links"><th>Links</th><td><ul>{{#links}}<li>{{rel}} {{#inDataset}}<a href="/record?symbol={{targetHref}}">{{target}}</a>{{/inDataset}}{{^inDataset}}{{target}} <span class="muted">(not in the dataset yet)</span>{{/inDataset}} \
        {{#editable}}<form class="edit mini" data-edit="unlink" data-rel="{{rel}}" data-symbol="{{symbol}}" data-target="{{target}}" hidden><button>Remove</button></form>{{/editable}}</li>{{/links}}\
        {{#incoming}}<li>{{rel}} by <a href="/record?symbol={{fromHref}}">{{from}}</a></li>{{/incoming}}</ul>\
        {{#editable}}<form class="edit inline" data-edit="link" data-symbol="{{symbol}}" hidden><select name="rel" aria-label="Relation">{{#relations}}<option>{{.}}</option>{{/relations}}</select>\
        <input type="text" name="target" placeholder="A/RES/71/19" aria-label="Target symbol"><button>Add link</button></form>{{/editable}}</td></tr>
        <tr id="sources"><th>Sources</th><td><ul>{{#sources}}<li><a href="{{url}}" rel="noreferrer">{{label}}</a> \
        {{#editable}}<form class="edit mini" data-edit="remove-sources" data-symbol="{{symbol}}" data-urls="{{url}}" hidden><button>Remove</button></form>{{/editable}}</li>{{/sources}}</ul>\
        {{#editable}}<form class="edit inline" data-edit="add-sources" data-symbol="{{symbol}}" hidden><input type="url" name="url" placeholder="https://undocs.org/..." aria-label="Source URL">\
        <input type="text" name="label" placeholder="label" aria-label="Source label"><button>Add source</button></form>{{/editable}}</td></tr></table>
        {{#editable}}{{#withdrawn}}<form class="edit inline" data-edit="restore" data-symbol="{{symbol}}" hidden><button>Restore this record</button></form>{{/withdrawn}}\
        {{^withdrawn}}<form class="edit inline" data-edit="withdraw" data-symbol="{{symbol}}" hidden><input type="text" name="reason" placeholder="why (optional)" aria-label="Reason"><button>Withdraw this record</button></form>{{/withdrawn}}
        {{#chain}}<h2>Review chain</h2>{{#loops}}<p class="conflict">The reviews links of this chain loop (two nodes each added one half at once); remove one link.</p>{{/loops}}
        <ol class="chain">{{#records}}<li>{{> link}}{{#adopted}} <span class="muted">adopted {{adopted}}</span>{{/adopted}}{{#withdrawn}} <span class="badge">withdrawn</span>{{/withdrawn}}{{#isThis}} <span class="muted">this record</span>{{/isThis}}</li>{{/records}}</ol>{{/chain}}
        <form class="inline" action="/record"><input type="hidden" name="symbol" value="{{symbol}}"><input type="text" name="asOf" placeholder="2026-11-26 or 2026-11-26T14:00:00Z" aria-label="As of"><button>Show as of</button></form>
        <h2 id="history">History{{#historyOf}} of {{historyOf}} <a class="muted" href="/record?symbol={{href}}#history">(all fields)</a>{{/historyOf}}</h2>\
        <table class="history"><thead><tr><th>When</th><th>Who</th><th>Change</th><th>Signature</th></tr></thead><tbody>
        {{#history}}<tr><td class="nw muted"><a href="/event?id={{id}}" title="event {{id}}">{{time}}</a></td><td>{{#who}}{{> who}}{{/who}}</td>\
        <td>{{#redaction}}{{type}}: <strong>body redacted</strong> by {{#by}}{{> who}}{{/by}} at {{at}}: {{reason}}{{/redaction}}{{^redaction}}{{change}}{{/redaction}}</td><td>{{signature}}</td></tr>
        {{/history}}</tbody></table>{{/editable}}
        """,
        "event": """
        <h1>Event <code>{{short}}</code></h1><table class="record">
        <tr><th>Id</th><td><code>{{id}}</code></td></tr><tr><th>Type</th><td>{{type}}</td></tr>
        <tr><th>Author</th><td>{{#who}}{{> who}}{{/who}} <span class="muted">seq {{seq}}</span></td></tr><tr><th>Time</th><td>{{time}}</td></tr>
        {{#record}}<tr><th>Subject</th><td>{{> link}}</td></tr>{{/record}}{{#target}}<tr><th>Subject</th><td><a href="/event?id={{.}}"><code>{{.}}</code></a></td></tr>{{/target}}\
        {{#otherSubject}}<tr><th>Subject</th><td><code>{{.}}</code></td></tr>{{/otherSubject}}
        <tr><th>Signature</th><td>{{signature}}</td></tr>
        {{#redaction}}<tr><th>Body</th><td><strong>Redacted</strong> by {{#by}}{{> who}}{{/by}} at {{at}}: {{reason}} <a href="/event?id={{id}}">(the redaction)</a></td></tr>{{/redaction}}\
        {{^redaction}}<tr><th>Body</th><td><pre>{{body}}</pre></td></tr>{{/redaction}}
        <tr><th>Envelope</th><td><pre>{{envelope}}</pre></td></tr></table>
        """,
        "problem": #"<h1>{{title}}</h1><p class="problem">{{detail}}</p><p><a href="/">All records</a></p>"#,
    ]

    /// The templates, parsed once.
    static let library: Result<MustacheLibrary, any Error> = Result {
        var library = MustacheLibrary()
        for (name, text) in templates { try library.register(text, named: name) }
        return library
    }

    /// The page `name` rendered with `context`, inside the page shell.
    /// - Parameter conflicts: open conflicts in the dataset, counted in the navigation.
    static func page(
        _ name: String, title: String, _ context: [String: Any], noAdmin: Bool = false, conflicts: Int = 0
    ) throws
        -> String
    {
        let library = try library.get()
        let shell: [String: Any] = ["title": title, "noAdmin": noAdmin, "conflicts": conflicts > 0 ? conflicts : false]
        guard let body = library.render(context, withTemplate: name),
            let page = library.render(shell.merging(["body": body]) { $1 }, withTemplate: "page")
        else { throw TemplateMissing(name: name) }
        return page
    }

    struct TemplateMissing: Error { let name: String }
}
