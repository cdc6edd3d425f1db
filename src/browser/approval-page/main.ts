// The phone approval page (served at basePath + "/a"): takes a scan token from the fragment, the
// camera or a typed code, shows who is asking, and sends the person's answer. While it is open it
// also shows the account's push requests the moment they arrive, and its alerts.
import { ApiError, type ApproverAlert, createApprover, type RequestCard } from "../approver.ts";
import { cameraAvailable, scanWithCamera } from "./camera-scanner.ts";
import { type CardOutcome, type RenderedCard, renderRequestCard } from "./request-card.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`approval page: #${id} is missing`);
  return element as T;
};
const views = ["signin", "start", "busy", "card", "result"] as const;
type View = (typeof views)[number];

const ALERT_WORDS: Record<ApproverAlert["reason"], string> = {
  new_device: "A new device was signed in to your account.",
  not_me: "You reported a sign-in you didn't make.",
  wrong_number: "A sign-in was stopped because the wrong number was typed.",
};

const { basePath = "/qrlogin", approver: approverName = "" } = document.body.dataset;
const approver = createApprover({ origin: location.origin, basePath });
const template = $<HTMLTemplateElement>("request-template");
const pushes = new Map<string, RenderedCard>();
// Above the push cards when several wait: only one of them can be the person's own.
const several = Object.assign(document.createElement("p"), { className: "several" });
several.setAttribute("role", "status");
$("pushes").prepend(several);
let camera: AbortController | null = null;

function show(view: View, focus?: HTMLElement): void {
  for (const name of views) $(name).hidden = name !== view;
  if (view !== "start") stopCamera();
  showPushes();
  focus?.focus();
}

/** Push cards show above every view but the sign-in one, while there are any, never one hiding another. */
function showPushes(): void {
  $("pushes").hidden = pushes.size === 0 || !$("signin").hidden;
  const many = pushes.size > 1;
  several.hidden = !many;
  several.textContent = many
    ? `${pushes.size} sign-in requests are waiting — approve only the one whose number is on your screen.`
    : "";
}

/** Says something to the person (and to screen readers, through the live region). */
function say(text: string, problem = false): void {
  const status = $("status");
  status.textContent = text;
  status.classList.toggle("problem", problem);
}

function stopCamera(): void {
  camera?.abort();
  camera = null;
  $("camera").hidden = true;
  $("scan").hidden = !cameraAvailable();
}

/** Tells the person what went wrong; `view` is where to go, when the failure ends what they were doing. */
function fail(error: unknown, view?: View): void {
  const apiError = error instanceof ApiError ? error : new ApiError("NETWORK_ERROR", 0);
  if (apiError.code === "APPROVER_UNAUTHENTICATED") {
    show("signin");
    say("Sign in on this phone first, then scan the code again.", true);
    return;
  }
  if (view) show(view);
  say(apiError.message, true);
}

async function claim(input: { token: string } | { userCode: string } | { scanned: string }): Promise<void> {
  show("busy");
  say("Checking the code…");
  try {
    const result = "scanned" in input ? await approver.scanQr(input.scanned) : await approver.scan(input);
    showCard(result);
  } catch (error) {
    fail(error, "start");
  }
}

/** The scanned request's card, alone on the page until it is answered. */
function showCard(card: RequestCard): void {
  const rendered = renderRequestCard(template, card, approver, (outcome) => {
    if (outcome.ok) {
      show("result", $("again"));
      say(outcome.text);
    } else {
      fail(outcome.error, "result");
    }
  });
  $("card").replaceChildren(rendered.element);
  show("card", rendered.element.querySelector<HTMLElement>(".title") ?? undefined);
  say(
    card.passkeyRequired
      ? "Check who is asking: this phone can't approve it, only deny it."
      : card.numberRequired
        ? "Check who is asking, then type the number shown on the other screen."
        : "Check who is asking, then approve or deny.",
  );
}

/** A push request: shown above whatever the person is doing, until answered or resolved. */
function addPush(card: RequestCard): void {
  if (pushes.has(card.id)) return;
  const rendered = renderRequestCard(template, card, approver, (outcome: CardOutcome) => {
    pushes.delete(card.id);
    showPushes();
    if (outcome.ok) say(outcome.text);
    else fail(outcome.error);
  });
  pushes.set(card.id, rendered);
  $("pushes").append(rendered.element);
  showPushes();
  say("A sign-in request is waiting: type the number shown on the other screen.");
}

function dropPush(id: string): void {
  if (!pushes.get(id)?.drop()) return;
  pushes.delete(id);
  showPushes();
  say("That sign-in request is no longer waiting.");
}

function showAlert(alert: ApproverAlert): void {
  const notice = document.createElement("div");
  notice.className = "alert";
  notice.setAttribute("role", "alert");
  const text = document.createElement("p");
  const at = new Date(alert.at);
  text.append(
    `${ALERT_WORDS[alert.reason] ?? "Something happened on your account."} `,
    Object.assign(document.createElement("time"), {
      dateTime: at.toISOString(),
      textContent: at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
    }),
  );
  const dismiss = Object.assign(document.createElement("button"), { type: "button", textContent: "Dismiss" });
  dismiss.onclick = () => notice.remove();
  notice.append(text, dismiss);
  $("alerts").prepend(notice);
}

function startCamera(): void {
  const controller = new AbortController();
  camera = controller;
  $("scan").hidden = true;
  $("camera").hidden = false;
  say("Point the camera at the QR code on the other screen.");
  scanWithCamera($<HTMLVideoElement>("video"), controller.signal).then(
    (scanned) => {
      stopCamera();
      void claim({ scanned });
    },
    (error: unknown) => {
      stopCamera();
      const denied = error instanceof DOMException && error.name === "NotAllowedError";
      say(
        denied
          ? "The camera is blocked for this page. Allow it in the browser's settings, or type the code below."
          : "The camera could not be started. Type the code below instead.",
        true,
      );
    },
  );
}

// The token must not stay in the address bar, history or a bookmark: read it, then drop it.
const token = new URLSearchParams(location.hash.slice(1)).get("t");
if (location.hash) history.replaceState(null, "", location.pathname + location.search);

$("scan").onclick = startCamera;
$("camera-stop").onclick = () => {
  stopCamera();
  say("");
};
$("code-form").onsubmit = (event) => {
  event.preventDefault();
  const userCode = $<HTMLInputElement>("code").value.trim();
  if (userCode) void claim({ userCode });
};
$("again").onclick = () => {
  show("start");
  say("");
};
$("no-camera").hidden = cameraAvailable();

if (!approverName) {
  show("signin");
  if (token) say("Sign in on this phone first, then scan the code again.");
} else {
  if (token) void claim({ token });
  else show("start");
  approver.followPushes({ onPush: addPush, onResolved: dropPush, onAlert: showAlert, onError: (e) => fail(e) });
}

if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register(`${basePath}/sw.js`, { scope: `${basePath}/` }).catch(() => {});
}
