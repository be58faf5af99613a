public import Crypto
public import Foundation

/// The auditor's offline verifier: one static HTML page that checks a bundle
/// (`accord export --audit`) in a browser from `file://`, with no network, the same checks in
/// the same order as `accord audit verify` (`AuditVerifier`), and the same first failure.
/// Its Content-Security-Policy is `default-src 'none'` plus the hashes of its own script and
/// style; it uses WebCrypto's Ed25519 and SHA-256. `accord --version` prints its SHA-256.
public enum AuditVerifierPage {
    /// Nothing but its own script and style: no network, no other code.
    public static let contentSecurityPolicy =
        "default-src 'none'; script-src 'sha256-\(base64SHA256(script))'; style-src 'sha256-\(base64SHA256(style))'; base-uri 'none'; form-action 'none'"

    public static let html: String = {
        let csp = contentSecurityPolicy
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(csp)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Accord audit verifier</title><style>\(style)</style></head>
            <body><h1>Accord audit verifier</h1>
            <p>Choose an auditor's bundle (<code>accord export --audit</code>, or the Audit page's download). This page checks,
            in this browser and with no network: the checkpoint's signature by the log key and the witnesses' cosignatures, every
            event's signature and body hash, every author's chain, that the events give the checkpoint's root, that every
            erased body has a valid redaction, and that every event was signed by a member allowed to at the time.</p>
            <p><input type="file" id="bundle" accept=".ndjson,.jsonl,.txt,application/x-ndjson"></p>
            <p id="verdict" class="verdict">No bundle chosen.</p>
            <ul id="checks"></ul>
            <p class="muted">Compare the log key and the witness keys with the ones their operators publish. The same checks:
            <code>accord audit verify FILE</code>.</p>
            <script>\(script)</script>
            </body></html>

            """
    }()

    public static var bytes: [UInt8] { Array(html.utf8) }
    /// The page's SHA-256 (lowercase hex), as `accord --version` prints it.
    public static let sha256: String = SHA256.hash(data: Array(html.utf8)).map { String(format: "%02x", $0) }.joined()

    static func base64SHA256(_ text: String) -> String { Data(SHA256.hash(data: Array(text.utf8))).base64EncodedString() }

    static let style = """
        body{font-family:system-ui,sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem;line-height:1.45;color:#1b1b1b}
        .verdict{font-weight:600;padding:.5rem .7rem;background:#eee;border-left:4px solid #999;overflow-wrap:anywhere}
        .verdict.ok{background:#e7f5ea;border-left-color:#1e7b34}.verdict.bad{background:#fdecea;border-left-color:#b3261e}
        li{overflow-wrap:anywhere}.muted{color:#666;font-size:.9em}
        """

    static let script = #"""
        "use strict";
        (() => {
          const enc = new TextEncoder();
          const dec = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
          const subtle = crypto.subtle;
          class Fail extends Error {}
          const fail = (m) => { throw new Fail(m); };
          const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
          const unhex = (s) => Uint8Array.from(s.match(/../g) || [], (h) => parseInt(h, 16));
          const isHex64 = (s) => typeof s === "string" && /^[0-9a-f]{64}$/.test(s);
          const b64 = (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)
            ? Uint8Array.from(atob(s), (c) => c.charCodeAt(0)) : null;
          const b64e = (b) => btoa(String.fromCharCode(...b));
          const b64u = (s) => {
            if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
            return Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
          };
          const cat = (...parts) => {
            const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
            let k = 0;
            for (const p of parts) { out.set(p, k); k += p.length; }
            return out;
          };
          const sha = async (b) => new Uint8Array(await subtle.digest("SHA-256", b));
          // RFC 8785: sorted members (UTF-16 order), ECMAScript number and string forms.
          const canon = (v) => {
            if (v === null || typeof v !== "object") return JSON.stringify(v);
            if (Array.isArray(v)) return "[" + v.map(canon).join(",") + "]";
            return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canon(v[k])).join(",") + "}";
          };
          const wellFormed = (v) => typeof v === "string" ? v.isWellFormed()
            : Array.isArray(v) ? v.every(wellFormed)
            : v !== null && typeof v === "object" ? Object.entries(v).every(([k, x]) => k.isWellFormed() && wellFormed(x)) : true;
          const canonical = (bytes) => {
            try {
              const text = dec.decode(bytes);
              const v = JSON.parse(text);
              return wellFormed(v) && canon(v) === text ? v : undefined;
            } catch (e) { return undefined; }
          };
          const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
          const isInt = (v) => typeof v === "number" && Number.isInteger(v);
          const keys = new Map();
          const edKey = (raw) => {
            const k = hex(raw);
            if (!keys.has(k)) keys.set(k, subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]).catch(() => null));
            return keys.get(k);
          };
          const edVerify = async (raw, sig, msg) => {
            const key = await edKey(raw);
            return key !== null && sig.length === 64 && subtle.verify({ name: "Ed25519" }, key, sig, msg);
          };
          const authorRaw = (a) => {
            if (typeof a !== "string" || !a.startsWith("ed25519:")) return null;
            const raw = b64u(a.slice(8));
            return raw && raw.length === 32 ? raw : null;
          };

          // C2SP signed note, checkpoint and verifier keys.
          const isKeyName = (n) => n.length > 0 && !n.includes("+") && !/\s/u.test(n);
          const keyID = async (name, type, pub) => {
            const d = await sha(cat(enc.encode(name), Uint8Array.of(0x0a, type), pub));
            return ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
          };
          const parseVkey = async (s) => {
            const i = s.indexOf("+"), j = s.indexOf("+", i + 1);
            if (i < 0 || j < 0) return null;
            const name = s.slice(0, i), id = s.slice(i + 1, j), raw = b64(s.slice(j + 1));
            if (!/^[0-9a-fA-F]{8}$/.test(id) || !raw || raw.length !== 33 || !isKeyName(name) || (raw[0] !== 1 && raw[0] !== 4)) return null;
            const v = { name, type: raw[0], pub: raw.slice(1) };
            v.keyID = await keyID(name, v.type, v.pub);
            return v.keyID === parseInt(id, 16) ? v : null;
          };
          const parseNote = (whole) => {
            if (enc.encode(whole).length > 65536 || /[\u0000-\u0009\u000b-\u001f]/.test(whole) || !whole.endsWith("\n")) return null;
            const split = whole.lastIndexOf("\n\n");
            if (split < 0) return null;
            const text = whole.slice(0, split) + "\n";
            const lines = whole.slice(split + 2).split("\n").slice(0, -1);
            if (lines.length < 1 || lines.length > 100) return null;
            const sigs = [];
            for (const line of lines) {
              const p = line.split(" ");
              const raw = p.length === 3 ? b64(p[2]) : null;
              if (p.length !== 3 || p[0] !== "\u2014" || !isKeyName(p[1]) || !raw || raw.length <= 4) return null;
              sigs.push({ name: p[1], keyID: ((raw[0] << 24) | (raw[1] << 16) | (raw[2] << 8) | raw[3]) >>> 0, bytes: raw.slice(4) });
            }
            return { text, sigs };
          };
          const parseCheckpoint = (text) => {
            const l = text.split("\n");
            if (!text.endsWith("\n") || l.length < 4 || l[0] === "" || !/^(0|[1-9][0-9]*)$/.test(l[1])) return null;
            const root = b64(l[2]);
            if (!root || root.length !== 32 || l.slice(3, -1).some((e) => e === "")) return null;
            return { origin: l[0], size: Number(l[1]), root };
          };
          const noteVerifies = async (v, sig, text) => {
            if (v.type === 1) return edVerify(v.pub, sig, text);
            if (sig.length !== 72) return false;
            let t = 0n;
            for (let k = 0; k < 8; k++) t = (t << 8n) | BigInt(sig[k]);
            if (t >= 1n << 63n) return false;
            return edVerify(v.pub, sig.slice(8), cat(enc.encode("cosignature/v1\ntime " + t + "\n"), text));
          };

          const readHeader = (bytes) => {
            const m = canonical(bytes);
            const ok = isObject(m) && m["accord-audit"] === 1 && typeof m.checkpoint === "string" && isHex64(m.dataset)
              && isInt(m.events) && m.events >= 0 && typeof m.exported === "string" && typeof m.vkey === "string"
              && Array.isArray(m.witnesses) && m.witnesses.every((w) => typeof w === "string");
            if (!ok) fail("line 1 is not an Accord audit bundle header (format 1)");
            const note = parseNote(m.checkpoint);
            if (!note) fail("the checkpoint is not a C2SP signed note");
            return { ...m, note };
          };

          const checkCheckpoint = async (h) => {
            const c = parseCheckpoint(h.note.text);
            if (!c) fail("the checkpoint's text is not origin, tree size and root hash");
            const key = await parseVkey(h.vkey);
            if (!key || key.type !== 1) fail("the log key is not a C2SP Ed25519 verifier key");
            if (key.name !== c.origin) fail("the log key is named " + key.name + ", not the checkpoint's origin " + c.origin);
            const o = c.origin.split("/");
            const originOK = o.length === 4 && o[0] === "accord" && /^[0-9a-fA-F]{16}$/.test(o[1]) && /^[0-9a-fA-F]{16}$/.test(o[2])
              && /^e[1-9][0-9]{0,8}$/.test(o[3]) && c.origin.startsWith("accord/" + h.dataset.slice(0, 16) + "/");
            if (!originOK) fail("the checkpoint's origin " + c.origin + " is not a log of dataset " + h.dataset.slice(0, 16));
            if (o[2] !== hex(key.pub.slice(0, 8))) fail("the log key is not the key of node " + o[2] + ", which the origin names");
            const text = enc.encode(h.note.text);
            const mine = h.note.sigs.find((s) => s.name === key.name && s.keyID === key.keyID);
            if (!mine || !(await noteVerifies(key, mine.bytes, text))) fail("the checkpoint's signature by its log key does not verify");
            if (c.size !== h.events) fail("the header says " + h.events + " events, the checkpoint " + c.size);
            const cosigners = [];
            for (const vk of h.witnesses) {
              const w = await parseVkey(vk);
              if (!w || w.type !== 4) fail("witness key " + vk.slice(0, 120) + " is not a C2SP cosignature key");
              for (const s of h.note.sigs) {
                if (s.name !== w.name || s.keyID !== w.keyID) continue;
                if (!(await noteVerifies(w, s.bytes, text))) fail("the cosignature of " + w.name + " does not verify");
                let t = 0;
                for (let k = 0; k < 8; k++) t = t * 256 + s.bytes[k];
                cosigners.push(w.name + " at " + new Date(t * 1000).toISOString());
              }
            }
            return { c, cosigners };
          };

          // One line alone: parsed, hashed, its signature checked.
          const ENVELOPE = "the envelope is not an Accord v1 envelope";
          const TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z#[0-9]{5}$/;
          const envelopeOK = (e) => e.v === 1 && authorRaw(e.author) !== null && isInt(e.seq) && e.seq >= 1
            && (e.seq === 1 ? e.prev === undefined : isHex64(e.prev)) && typeof e.time === "string" && TIME.test(e.time)
            && typeof e.type === "string" && /^[a-z.-]{1,64}$/.test(e.type) && isInt(e.schema) && e.schema >= 1
            && (e.type === "dataset.created" ? e.dataset === undefined && e.seq === 1 : isHex64(e.dataset))
            && (e.subject === undefined || typeof e.subject === "string") && isHex64(e.bodyHash);
          const readLine = async (bytes) => {
            const m = canonical(bytes);
            const SHAPE = "not an audit event (envelope, sig, and body or redacted)";
            if (!isObject(m)) return { problem: "not canonical JSON (RFC 8785)" };
            if (!Object.keys(m).every((k) => ["body", "envelope", "redacted", "sig"].includes(k)) || !isObject(m.envelope)
              || typeof m.sig !== "string") return { problem: SHAPE };
            if (m.body === undefined && m.redacted === undefined) return { problem: "the event's body is missing, and no redaction is named" };
            if ((m.body !== undefined && m.redacted !== undefined) || (m.redacted !== undefined && !isHex64(m.redacted))) return { problem: SHAPE };
            const e = m.envelope;
            if (!envelopeOK(e)) return { problem: ENVELOPE };
            const envBytes = enc.encode(canon(e));
            const sig = b64u(m.sig);
            const [id, bodyHash, sigOK] = await Promise.all([
              sha(envBytes).then(hex),
              m.body === undefined ? null : sha(enc.encode(canon(m.body))).then(hex),
              sig && sig.length === 64 ? edVerify(authorRaw(e.author), sig, envBytes) : false,
            ]);
            return { id, e, body: m.body, redacted: m.redacted, sigOK, bodyOK: bodyHash === null || bodyHash === e.bodyHash };
          };

          // Authorization events, decoded as the node decodes them.
          const AUTH = ["member.granted", "member.revoked", "event.redacted"];
          const decodeFact = (e, b, id) => {
            if (e.schema !== 1 || !isObject(b)) return null;
            const key = () => (typeof b.key === "string" && authorRaw(b.key) && e.subject === b.key ? b.key : null);
            if (e.type === "member.granted") {
              const k = key(), name = typeof b.name === "string" ? b.name.trim() : "";
              const n = [...name].length;
              if (!k || !["admin", "editor"].includes(b.role) || n < 1 || n > 200) return null;
              if (b.fromSeq !== undefined && !(isInt(b.fromSeq) && b.fromSeq >= 2)) return null;
              return { kind: "granted", key: k, role: b.role, name, from: b.fromSeq === undefined ? 1 : b.fromSeq };
            }
            if (e.type === "member.revoked") {
              const k = key();
              if (!k || !isInt(b.validThroughSeq) || b.validThroughSeq < 0) return null;
              return { kind: "revoked", key: k, through: b.validThroughSeq };
            }
            const reason = typeof b.reason === "string" ? b.reason.trim() : "";
            if (!isHex64(b.target) || e.subject !== b.target || reason === "" || enc.encode(reason).length > 2000) return null;
            return { kind: "redacted", target: b.target };
          };
          // The membership fold (Docs/security.md, "Membership"), as AccordCore's `Membership.fold`.
          const lt = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
          const causalOrder = (facts) => {
            const ordered = [...facts].sort((a, b) => lt(a.time, b.time) || lt(a.id, b.id));
            const slots = new Map();
            ordered.forEach((f, k) => { if (!slots.has(f.author)) slots.set(f.author, []); slots.get(f.author).push(k); });
            for (const positions of slots.values()) {
              if (positions.length < 2) continue;
              const bySeq = positions.map((p) => ordered[p]).sort((a, b) => a.seq - b.seq || lt(a.id, b.id));
              positions.forEach((p, k) => { ordered[p] = bySeq[k]; });
            }
            return ordered;
          };
          const authorize = (s, author, seq) => {
            const list = s.periods.get(author);
            if (!list) return { kind: "notMember" };
            const cut = s.cuts.get(author);
            if (cut !== undefined && seq > cut) return { kind: "revoked", cut };
            let p = null;
            for (const q of list) if (q.from <= seq) p = q;
            return p ? { kind: "valid", role: p.role } : { kind: "notMember" };
          };
          const fold = (genesis, facts) => {
            const ordered = causalOrder(facts);
            const excluded = new Set();
            for (;;) {
              const s = { periods: new Map(), cuts: new Map() };
              if (genesis) s.periods.set(genesis, [{ from: 1, role: "admin", name: "dataset creator" }]);
              const role = (k, seq) => {
                const cut = s.cuts.get(k);
                if (cut !== undefined && seq > cut) return null;
                let r = null;
                for (const q of s.periods.get(k) || []) if (q.from <= seq) r = q.role;
                return r;
              };
              const applied = [];
              for (const f of ordered) {
                if (excluded.has(f.id) || role(f.author, f.seq) !== "admin") continue;
                if (f.fact.kind === "granted") {
                  const list = (s.periods.get(f.fact.key) || []).filter((q) => q.from !== f.fact.from);
                  list.push({ from: f.fact.from, role: f.fact.role, name: f.fact.name });
                  list.sort((a, b) => a.from - b.from);
                  s.periods.set(f.fact.key, list);
                } else if (s.periods.has(f.fact.key)) {
                  const cut = s.cuts.get(f.fact.key);
                  s.cuts.set(f.fact.key, cut === undefined ? f.fact.through : Math.min(cut, f.fact.through));
                }
                applied.push(f);
              }
              const dropped = applied.filter((f) => { const a = authorize(s, f.author, f.seq); return a.kind !== "valid" || a.role !== "admin"; });
              if (dropped.length === 0) return s;
              for (const f of dropped) excluded.add(f.id);
            }
          };

          const merkleRoot = async (ids) => {
            if (ids.length === 0) return sha(new Uint8Array(0));
            let level = await Promise.all(ids.map((id) => sha(cat(Uint8Array.of(0), unhex(id)))));
            while (level.length > 1) {
              const next = [];
              for (let k = 0; k + 1 < level.length; k += 2) next.push(sha(cat(Uint8Array.of(1), level[k], level[k + 1])));
              const odd = level.length % 2 === 1 ? level[level.length - 1] : null;
              level = await Promise.all(next);
              if (odd) level.push(odd);
            }
            return level[0];
          };

          const verify = async (bytes) => {
            if (bytes.length === 0 || bytes[bytes.length - 1] !== 0x0a) fail("the bundle is empty or its last line is cut off");
            const raw = [];
            let start = 0;
            for (let k = 0; k < bytes.length; k++) if (bytes[k] === 0x0a) { raw.push(bytes.subarray(start, k)); start = k + 1; }
            const h = readHeader(raw[0]);
            const { c, cosigners } = await checkCheckpoint(h);
            const lines = await Promise.all(raw.slice(1).map(readLine));
            const seen = new Map(), heads = new Map(), facts = [], redactions = new Map();
            let genesis = null, state = fold(null, []), evidence = 0;
            for (let k = 0; k < lines.length; k++) {
              const n = k + 2, l = lines[k];
              if (l.problem) fail("line " + n + ": " + l.problem);
              const e = l.e, short = l.id.slice(0, 16);
              if (seen.has(l.id)) fail("line " + n + " is the event of line " + seen.get(l.id) + " again");
              seen.set(l.id, n);
              if (k === 0) {
                if (e.type !== "dataset.created") fail("line 2 is not the dataset's genesis (dataset.created)");
                if (l.id !== h.dataset) fail("line 2 is the genesis of another dataset than " + h.dataset);
                genesis = e.author;
                state = fold(genesis, []);
              } else if (e.type === "dataset.created" || e.dataset !== h.dataset) {
                fail("line " + n + ": event " + short + " is not of dataset " + h.dataset.slice(0, 16));
              }
              if (!l.sigOK) fail("line " + n + ": the signature of event " + short + " does not verify");
              if (!l.bodyOK) fail("line " + n + ": the body of event " + short + " does not hash to its bodyHash");
              const head = heads.get(e.author);
              const last = head ? head.seq : 0;
              if (e.seq !== last + 1) fail("line " + n + ": event " + short + " is seq " + e.seq + " of " + e.author + ", after seq " + last);
              if (e.prev !== (head ? head.id : undefined)) {
                fail("line " + n + ": event " + short + " does not follow seq " + last + " of " + e.author + " (prev is not its id)");
              }
              heads.set(e.author, { seq: e.seq, id: l.id });
              if (k > 0) {
                const a = authorize(state, e.author, e.seq);
                if (a.kind === "valid") {
                  if (AUTH.includes(e.type) && a.role !== "admin") {
                    fail("line " + n + ": event " + short + " is a " + e.type + " by " + e.author + ", who was an editor, not an admin");
                  }
                } else if (a.kind === "revoked") {
                  if (e.seq > a.cut + 16) {
                    fail("line " + n + ": event " + short + " is seq " + e.seq + " of " + e.author + ", more than 16 past its revocation after seq " + a.cut);
                  }
                  evidence++;
                } else {
                  fail("line " + n + ": event " + short + " is signed by " + e.author + ", who was no member then");
                }
              }
              if (AUTH.includes(e.type)) {
                const fact = l.body === undefined ? null : decodeFact(e, l.body, l.id);
                if (!fact) fail("line " + n + ": the " + e.type + " body of event " + short + " is missing or does not decode");
                if (fact.kind === "redacted") {
                  if (!redactions.has(fact.target)) redactions.set(fact.target, []);
                  redactions.get(fact.target).push(n);
                } else {
                  facts.push({ id: l.id, author: e.author, seq: e.seq, time: e.time, fact });
                  if (facts.length > 5000) fail("the bundle holds more than 5000 membership events; this verifier judges no more");
                  state = fold(genesis, facts);
                }
              }
            }
            if (lines.length !== h.events) fail("the bundle holds " + lines.length + " events; its checkpoint covers " + h.events);
            const root = await merkleRoot(lines.map((l) => l.id));
            if (hex(root) !== hex(c.root)) fail("the events do not give the checkpoint's root: the log it signed holds other events, or another order");
            let erased = 0;
            for (let k = 0; k < lines.length; k++) {
              const l = lines[k];
              if (l.body !== undefined) continue;
              const erasable = !["dataset.created", ...AUTH].includes(l.e.type);
              if (!erasable || !(redactions.get(l.id) || []).some((n) => lines[n - 2].id === l.redacted)) {
                fail("line " + (k + 2) + ": the body of event " + l.id.slice(0, 16) + " is missing, and no redaction in the bundle erases it");
              }
              erased++;
            }
            const checks = [
              "checkpoint: " + c.origin + ", " + c.size + " events, signed by " + h.vkey,
              "cosignatures: " + (cosigners.length ? cosigners.join("; ") : "none"),
              "events: " + lines.length + ", every signature verified, chains of " + heads.size + " authors whole, no event twice",
              "tree: the " + lines.length + " event ids give the checkpoint's root " + b64e(root),
              "bodies: " + (lines.length - erased) + " hash to their bodyHash, " + erased + " erased by a valid redaction",
              "authority: every event signed by a member allowed to at the time"
                + (evidence > 0 ? "; " + evidence + " held as evidence past a revocation, without effect" : ""),
            ];
            for (const [key, list] of [...state.periods.entries()].sort((a, b) => lt(a[0], b[0]))) {
              const p = list[list.length - 1], cut = state.cuts.get(key);
              checks.push("member: " + p.name + " (" + p.role + ") " + key + (cut !== undefined ? ", revoked after seq " + cut : ""));
            }
            const verdict = "Verified: " + lines.length + " events of dataset " + h.dataset.slice(0, 16) + ", checkpoint " + c.origin
              + " at size " + c.size + ", signed by its log key, " + cosigners.length + " witness cosignature" + (cosigners.length === 1 ? "" : "s");
            return { verdict, checks };
          };

          const show = (text, ok, checks, ms, n) => {
            const v = document.getElementById("verdict");
            v.textContent = text;
            v.className = "verdict " + (ok ? "ok" : "bad");
            v.dataset.ms = String(Math.round(ms));
            v.dataset.events = String(n);
            const ul = document.getElementById("checks");
            ul.replaceChildren(...checks.map((t) => { const li = document.createElement("li"); li.textContent = t; return li; }));
            if (ms > 0) {
              const li = document.createElement("li");
              li.textContent = "time: " + Math.round(ms) + " ms" + (n > 0 ? ", " + Math.round(n / (ms / 1000)) + " events/s" : "");
              ul.append(li);
            }
          };
          document.getElementById("bundle").addEventListener("change", async (ev) => {
            const file = ev.target.files[0];
            if (!file) return;
            show("Verifying " + file.name + " ...", true, [], 0, 0);
            const t0 = performance.now();
            try {
              const r = await verify(new Uint8Array(await file.arrayBuffer()));
              const n = Number((r.verdict.match(/^Verified: (\d+)/) || [0, 0])[1]);
              show(r.verdict, true, r.checks, performance.now() - t0, n);
            } catch (e) {
              const why = e instanceof Fail ? e.message : "the verifier failed: " + e;
              show("Not verified: " + why, false, [], performance.now() - t0, 0);
            }
          });
        })();
        """#
}
