/// The web UI's style sheet and script, served from the node itself (the
/// Content-Security-Policy allows no inline script or style).
enum WebAssets {
    static let style = """
        body{font-family:system-ui,sans-serif;max-width:64rem;margin:1rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}
        header{display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap;border-bottom:2px solid #0b4f8a;margin-bottom:1rem}
        header a{color:#0b4f8a;text-decoration:none;font-weight:600}
        header .count{background:#b3261e;color:#fff;border-radius:.7rem;padding:0 .45rem;font-size:.8em;margin-left:.2rem}
        table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35rem;text-align:left;vertical-align:top}
        td{overflow-wrap:anywhere}span.who{white-space:nowrap;overflow-wrap:normal}th,td.nw{white-space:nowrap;overflow-wrap:normal}table.record>tbody>tr>th{width:9rem}
        .conflict{background:#fff4d6;border-left:4px solid #d99a00;padding:.4rem .6rem;margin:.3rem 0}
        .muted{color:#666;font-size:.9em}.tag{background:#e6eef6;border-radius:.6rem;padding:0 .2rem 0 .5rem;margin-right:.3rem;white-space:nowrap;display:inline-flex;gap:.2rem;align-items:center}
        .badge{background:#eee;border-radius:.3rem;padding:0 .4rem;font-size:.7em;vertical-align:middle;color:#444}
        form.inline{display:flex;gap:.4rem;flex-wrap:wrap;margin:.4rem 0;align-items:center}form.inline input[type=text],form.inline input[type=url]{flex:1;min-width:10rem}
        form.inline input.short{flex:0 1 7rem;min-width:4rem}.pager{display:flex;gap:1rem}
        form.stack{display:flex;flex-direction:column;gap:.3rem;margin:.4rem 0;max-width:48rem}form.stack textarea,form.stack input{width:100%;box-sizing:border-box}
        form.mini{display:inline;margin:0}form.mini button{border:0;background:none;color:#a00;cursor:pointer;padding:0 .2rem}
        form[hidden],details[hidden],[hidden]{display:none!important}
        .note{background:#eef5fb;border-left:4px solid #0b4f8a;padding:.4rem .6rem}.note.error{background:#fdecea;border-left-color:#b3261e}
        .problem{background:#fdecea;border-left:4px solid #b3261e;padding:.4rem .6rem}
        ul.heads{margin:.3rem 0}ul.heads li{margin:.2rem 0}ul.heads form{display:inline}
        ol.chain li{margin:.2rem 0}.who{border-bottom:1px dotted #999}
        pre{background:#f4f4f4;padding:.5rem;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
        button.secondary{background:none;border:1px solid #999}
        """

    /// Keys, canonical JSON, signing and the edit forms. The key is WebCrypto Ed25519,
    /// made non-extractable in this browser or imported from an `accord keygen` file, kept
    /// in IndexedDB. An edit asks the node for its drafts (`/api/v1/drafts`), builds each
    /// envelope (RFC 8785: sorted members, ECMAScript number and string forms), signs it,
    /// and posts the events to `/api/v1/events`. A Web Lock makes tabs of this browser sign
    /// one edit at a time, so two tabs never place two events at one seq (a fork).
    static let script = #"""
        "use strict";
        const Accord = (() => {
          const enc = new TextEncoder();
          const b64u = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
          const unb64u = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
          const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
          // RFC 8785 for the JSON this dataset holds: integers, strings, booleans, null, arrays, objects.
          const canon = (v) => {
            if (v === null || typeof v !== "object") return JSON.stringify(v);
            if (Array.isArray(v)) return "[" + v.map(canon).join(",") + "]";
            return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canon(v[k])).join(",") + "}";
          };
          const sha256 = async (text) => hex(await crypto.subtle.digest("SHA-256", enc.encode(text)));
          // The hybrid logical clock: strictly after `after` (the chain's last time).
          const nextTime = (after) => {
            let ms = Date.now(), c = 0;
            if (after) {
              const [iso, count] = after.split("#");
              const am = Date.parse(iso), ac = parseInt(count, 10);
              if (ms <= am) { if (ac < 99999) { ms = am; c = ac + 1; } else { ms = am + 1; } }
            }
            return new Date(ms).toISOString() + "#" + String(c).padStart(5, "0");
          };
          const store = () => new Promise((resolve, reject) => {
            const r = indexedDB.open("accord", 1);
            r.onupgradeneeded = () => r.result.createObjectStore("keys");
            r.onsuccess = () => resolve(r.result);
            r.onerror = () => reject(r.error);
          });
          const tx = async (mode, f) => {
            const db = await store();
            return new Promise((resolve, reject) => {
              const t = db.transaction("keys", mode);
              const req = f(t.objectStore("keys"));
              t.oncomplete = () => resolve(req && req.result);
              t.onerror = () => reject(t.error);
            });
          };
          const loadKey = () => tx("readonly", (s) => s.get("device"));
          const saveKey = async (privateKey, publicRaw) => {
            const k = { privateKey, author: "ed25519:" + b64u(publicRaw) };
            await tx("readwrite", (s) => s.put(k, "device"));
            return k;
          };
          const createKey = async () => {
            const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
            return saveKey(pair.privateKey, await crypto.subtle.exportKey("raw", pair.publicKey));
          };
          // An `accord keygen` file: "accord-ed25519-private-key-v1:" + base64url of the 32-byte seed.
          const importKey = async (text) => {
            const m = /^accord-ed25519-private-key-v1:([A-Za-z0-9_-]{43})\s*$/.exec(text.trim());
            if (!m) throw new Error("not an Accord key file (one line accord-ed25519-private-key-v1:<base64url seed>)");
            const seed = unb64u(m[1]);
            const pkcs8 = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20, ...seed]);
            const open = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
            const jwk = await crypto.subtle.exportKey("jwk", open);
            const sealed = await crypto.subtle.importKey("jwk", jwk, { name: "Ed25519" }, false, ["sign"]);
            return saveKey(sealed, unb64u(jwk.x));
          };
          const forgetKey = () => tx("readwrite", (s) => s.delete("device"));
          const problem = async (r) => {
            try { const p = await r.json(); return p.detail || p.title || ("HTTP " + r.status); } catch { return "HTTP " + r.status; }
          };
          // Drafts, signatures, one post: the whole edit, one tab at a time.
          const submit = (edit) => navigator.locks.request("accord-sign", async () => {
            const key = await loadKey();
            if (!key) throw new Error("this browser has no key yet: create or import one on the Your key page");
            const d = await fetch("/api/v1/drafts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...edit, author: key.author }) });
            if (!d.ok) throw new Error(await problem(d));
            const draft = await d.json();
            if (draft.drafts.length === 0) return "Nothing to change: the record already says that.";
            let seq = draft.seq, prev = draft.prev, after = draft.after;
            const lines = [];
            for (const x of draft.drafts) {
              seq += 1;
              const envelope = { v: 1, dataset: draft.dataset, author: key.author, seq, time: nextTime(after), type: x.type, schema: x.schema, bodyHash: await sha256(canon(x.body)) };
              if (prev) envelope.prev = prev;
              if (x.subject !== undefined) envelope.subject = x.subject;
              const bytes = canon(envelope);
              const sig = await crypto.subtle.sign({ name: "Ed25519" }, key.privateKey, enc.encode(bytes));
              lines.push(JSON.stringify({ envelope, body: x.body, sig: b64u(sig) }));
              prev = await sha256(bytes);
              after = envelope.time;
            }
            const r = await fetch("/api/v1/events", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: lines.join("\n") + "\n" });
            if (!r.ok) {
              const p = await r.json().catch(() => ({}));
              const refused = (p.results || []).find((x) => (x.outcome === "rejected" || x.outcome === "invalid") && x.code !== "not-stored");
              if (refused && refused.code === "unauthorized") {
                throw new Error(draft.member ? (refused.reason || "your key may not do that") : "your key is not a member of this dataset yet: an admin grants it (see Your key)");
              }
              throw new Error(p.detail || p.title || ("HTTP " + r.status));
            }
            return "Signed as " + (draft.member ? draft.member.name : key.author) + " and saved.";
          });
          const editOf = (form) => {
            const e = { edit: form.dataset.edit };
            const data = form.dataset, els = form.elements;
            if (data.symbol) e.symbol = data.symbol;
            if (data.field) e.field = data.field;
            if (data.seen !== undefined) e.seen = data.seen ? data.seen.split(",") : [];
            if (data.value !== undefined) e.value = JSON.parse(data.value);
            else if (els.text) e.text = els.text.value;
            if (data.topics) e.topics = [data.topics];
            else if (els.topics) e.topics = els.topics.value.split(",").map((t) => t.trim()).filter((t) => t);
            if (data.rel) e.links = [{ rel: data.rel, target: data.target }];
            else if (els.rel) e.links = [{ rel: els.rel.value, target: els.target.value.trim() }];
            if (data.urls) e.urls = [data.urls];
            else if (els.url) e.sources = [{ url: els.url.value.trim(), label: els.label.value }];
            if (els.reason) e.reason = els.reason.value;
            if (e.edit === "grant") {
              e.key = els.namedItem("key").value.trim();
              e.name = els.namedItem("name").value;
              e.role = els.namedItem("role").value;
            }
            if (e.edit === "add") {
              e.symbol = els.symbol.value.trim();
              e.fields = {};
              for (const el of els) if (el.name && el.name.startsWith("field:") && el.value.trim()) e.fields[el.name.slice(6)] = el.value;
            }
            return e;
          };
          const say = (text, error) => {
            const s = document.getElementById("edit-status");
            if (!s) return;
            s.hidden = false;
            s.textContent = text;
            s.classList.toggle("error", !!error);
          };
          const canSign = () => window.isSecureContext && crypto.subtle && "locks" in navigator;
          const start = async () => {
            if (!canSign()) {
              say("Editing needs a secure page: open this node over HTTPS (serve --tls-cert/--tls-key) or at localhost.", true);
              return;
            }
            const key = await loadKey();
            const keyPage = document.getElementById("key-none");
            if (keyPage) {
              const show = (k) => {
                document.getElementById("key-none").hidden = !!k;
                document.getElementById("key-some").hidden = !k;
                if (!k) return;
                document.getElementById("key-public").textContent = k.author;
                const name = document.getElementById("key-name");
                const grant = () => { document.getElementById("key-grant").textContent = "accord grant " + k.author + " --role editor --name '" + name.value.replace(/'/g, "") + "'"; };
                name.oninput = grant;
                grant();
                fetch("/api/v1/members").then((r) => r.json()).then((ms) => {
                  const m = ms.find((x) => x.key === k.author);
                  document.getElementById("key-member").textContent = m ? (m.revoked ? "This key was revoked." : "You are a member: " + m.name + " (" + m.role + ").") : "This key is not a member yet.";
                });
              };
              show(key);
              document.getElementById("key-create").onclick = async () => show(await createKey());
              document.getElementById("key-import").onchange = async (ev) => {
                try { show(await importKey(await ev.target.files[0].text())); } catch (e) { say(e.message, true); }
              };
              document.getElementById("key-forget").onclick = async () => { await forgetKey(); show(null); };
            }
            if (!key) {
              if (document.querySelector("form.edit")) say("To edit, create or import your key on the Your key page.", false);
              return;
            }
            for (const el of document.querySelectorAll("form.edit, details.edit-only")) el.hidden = false;
            for (const form of document.querySelectorAll("form.edit")) {
              form.addEventListener("submit", async (ev) => {
                ev.preventDefault();
                const button = form.querySelector("button");
                button.disabled = true;
                try {
                  const edit = editOf(form);
                  const said = await submit(edit);
                  say(said, false);
                  if (edit.edit === "add") location.href = "/record?symbol=" + encodeURIComponent(edit.symbol);
                  else setTimeout(() => location.reload(), 400);
                } catch (e) {
                  say("Not saved: " + e.message, true);
                } finally {
                  button.disabled = false;
                }
              });
            }
          };
          document.addEventListener("DOMContentLoaded", () => start().catch((e) => say(e.message, true)));
          return { canon, nextTime, createKey, importKey, loadKey, submit };
        })();
        """#
}
