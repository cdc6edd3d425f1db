/** The demo's minimal pages. Plain HTML and a module script each; the full site comes with the element. */

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 28rem; margin: 2rem auto; padding: 0 1rem; color: #111; }
  @media (prefers-color-scheme: dark) { body { background: #111; color: #eee; } }
  #qr svg { width: 16rem; height: 16rem; background: #fff; padding: 0.5rem; }
  .code { font: 700 1.6rem ui-monospace, monospace; letter-spacing: 0.1em; }
  button { font: inherit; padding: 0.5rem 1rem; margin: 0.25rem; }
  .card { border: 1px solid #8886; border-radius: 0.5rem; padding: 1rem; }
`;

function page(title: string, body: string, script: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>${STYLE}</style></head><body>${body}<script type="module">${script}</script></body></html>`;
}

/** The desktop's login page: shows the QR and the typed code, follows the event stream, redeems. */
export const desktopPage = page(
  "Sign in — qrlogin demo",
  `<h1>Sign in</h1><p id="status" role="status">Scan with your phone</p>
   <div id="qr" role="img" aria-label="QR code to sign in"></div>
   <p>or open <b id="phone"></b> on your phone and type <span class="code" id="code"></span></p>
   <button id="again" hidden>Get a new code</button>`,
  `import encodeQR from "/vendor/qr.js";
   const $ = (id) => document.getElementById(id);
   $("phone").textContent = location.origin + "/qrlogin/a";
   $("again").onclick = () => location.reload();
   const show = (url) => { $("qr").innerHTML = encodeQR(url, "svg"); };
   const end = (text) => { $("status").textContent = text; $("qr").innerHTML = ""; $("again").hidden = false; };
   const res = await fetch("/qrlogin/requests", { method: "POST" });
   const req = await res.json();
   show(req.qr.url);
   $("code").textContent = req.userCode;
   const events = new EventSource("/qrlogin/requests/" + req.id + "/events");
   events.addEventListener("qr", (e) => show(JSON.parse(e.data).url));
   events.addEventListener("scanned", (e) => {
     $("status").textContent = "Scanned by " + JSON.parse(e.data).approver + " — confirm on your phone";
   });
   events.addEventListener("approved", async () => {
     events.close();
     const r = await fetch("/qrlogin/requests/" + req.id + "/redeem", { method: "POST" });
     if (r.ok) location.href = "/me"; else end("Sign-in failed: " + (await r.json()).error_description);
   });
   events.addEventListener("denied", () => { events.close(); end("Denied on the phone."); });
   events.addEventListener("expired", () => { events.close(); end("The code expired."); });
   events.addEventListener("cancelled", () => { events.close(); end("Cancelled."); });
   events.onerror = () => { if (events.readyState === EventSource.CONNECTING) $("status").textContent = "Reconnecting…"; };`,
);

/** The phone's approval page: signs the demo user in by name, then scans by fragment token or typed code. */
export const phonePage = page(
  "Approve sign-in — qrlogin demo",
  `<h1>Approve a sign-in</h1>
   <form id="signin" hidden><p>Demo: sign in on this phone as</p>
     <input name="name" required placeholder="alice@example.com" autocomplete="username"> <button>Sign in</button></form>
   <form id="typed" hidden><label>Code shown on the screen <input name="code" required autocomplete="off"></label>
     <button>Continue</button></form>
   <div id="card" class="card" hidden></div>
   <p id="status" role="status"></p>`,
  `const $ = (id) => document.getElementById(id);
   const post = (path, body) => fetch(path, { method: "POST", headers: { "content-type": "application/json" },
     body: JSON.stringify(body) }).then(async (r) => ({ ok: r.ok, body: await r.json() }));
   const me = await fetch("/demo/me").then((r) => r.json());
   if (!me.user) {
     $("signin").hidden = false;
     $("signin").onsubmit = async (e) => { e.preventDefault();
       await post("/demo/phone-signin", { name: new FormData(e.target).get("name") }); location.reload(); };
   } else {
     const token = new URLSearchParams(location.hash.slice(1)).get("t");
     history.replaceState(null, "", location.pathname);
     if (token) scan({ token }); else {
       $("typed").hidden = false;
       $("typed").onsubmit = (e) => { e.preventDefault(); scan({ userCode: new FormData(e.target).get("code") }); };
     }
   }
   async function scan(body) {
     const r = await post("/qrlogin/scan", body);
     if (!r.ok) { $("status").textContent = r.body.error_description; return; }
     $("typed").hidden = true;
     const q = r.body.requester;
     $("card").hidden = false;
     $("card").innerHTML = "<p><b>Sign in on another device?</b></p><ul>" +
       "<li>" + q.browser + " on " + q.os + " (" + q.device + ", as the browser says)</li>" +
       "<li>IP " + q.ip + (q.sameNetwork ? " — same network as this phone" : " — <b>a different network</b>") + "</li>" +
       "<li>" + q.ageSeconds + " s ago</li></ul>" +
       '<button id="approve">Approve</button><button id="deny">Deny</button>' +
       '<button id="notme">This wasn&#39;t me</button>';
     const decide = async (path, payload, done) => {
       const d = await post("/qrlogin/requests/" + r.body.id + path, payload);
       $("card").hidden = true;
       $("status").textContent = d.ok ? done : d.body.error_description;
     };
     $("approve").onclick = () => decide("/approve", {}, "Approved. The other device is signing in.");
     $("deny").onclick = () => decide("/deny", {}, "Denied.");
     $("notme").onclick = () => decide("/deny", { reason: "not_me" }, "Denied. Nobody was signed in.");
   }`,
);

/** The page only a signed-in desktop may see. */
export function accountPage(userId: string): string {
  const safe = userId.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return page("Signed in — qrlogin demo", `<h1>Signed in</h1><p id="who">You are signed in as ${safe}.</p>`, "");
}
