// The phone approval page (served at basePath + "/a"): takes a scan token from the fragment, the
// camera or a typed code, shows who is asking, and sends the person's answer. While it is open it
// also shows the account's push requests the moment they arrive, and its alerts. Its words are
// those of the language the server rendered it in.
import { ApiError, createApprover, type RequestCard } from "../approver.ts";
import { alertLine } from "./alert-line.ts";
import { cameraAvailable, scanWithCamera } from "./camera-scanner.ts";
import { pageWords } from "./page-words.ts";
import { type CardOutcome, type RenderedCard, renderRequestCard } from "./request-card.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`approval page: #${id} is missing`);
  return element as T;
};
const views = ["signin", "start", "busy", "card", "result"] as const;
type View = (typeof views)[number];

const words = pageWords();
const { basePath = "/qrlogin", approver: approverName = "" } = document.body.dataset;
const approver = createApprover({ origin: location.origin, basePath, lang: words.lang });
const template = $<HTMLTemplateElement>("request-template");
const pushes = new Map<string, RenderedCard>();
// Above the push cards when several wait: only one of them can be the person's own.
const several = Object.assign(document.createElement("p"), { className: "several" });
several.setAttribute("role", "status");
$("pushes").prepend(several);
const showAlert = alertLine($("alerts"), words);
let camera: AbortController | null = null;
let scanned: RenderedCard | null = null;

/**
 * Moves focus to `element` for screen readers without drawing a ring: the person did not move
 * it, so there is nothing to show (where the option is unknown, the page's CSS hides the ring of
 * a focused heading unless the focus is keyboard-visible).
 */
function focusQuietly(element: HTMLElement): void {
  const options: FocusOptions & { focusVisible?: boolean } = { focusVisible: false };
  element.focus(options);
}

function show(view: View, focus?: HTMLElement): void {
  for (const name of views) $(name).hidden = name !== view;
  if (view !== "start") stopCamera();
  showPushes();
  if (focus) focusQuietly(focus);
}

/** Push cards show above every view but the sign-in one, while there are any, never one hiding another. */
function showPushes(): void {
  $("pushes").hidden = pushes.size === 0 || !$("signin").hidden;
  const many = pushes.size > 1;
  several.hidden = !many;
  several.textContent = many ? words.t("page.several", { count: pushes.size }) : "";
}

/** Says something to the person (and to screen readers, through the live region). */
function say(text: string, problem = false): void {
  const status = $("status");
  status.textContent = text;
  status.classList.toggle("problem", problem);
}

/** What went wrong with the typed code, said under the field itself (its `aria-describedby`). */
function codeProblem(text: string): void {
  $("code-error").textContent = text;
  if (text) $("code").setAttribute("aria-invalid", "true");
  else $("code").removeAttribute("aria-invalid");
}

function stopCamera(): void {
  camera?.abort();
  camera = null;
  $("camera").hidden = true;
  $("scan").hidden = !cameraAvailable();
}

function signInFirst(): void {
  show("signin");
  say(words.t("page.signInFirst"), true);
}

/** Tells the person what went wrong; `view` is where to go, when the failure ends what they were doing. */
function fail(error: unknown, view?: View): void {
  const apiError = error instanceof ApiError ? error : new ApiError("NETWORK_ERROR", 0, undefined, words);
  if (apiError.code === "APPROVER_UNAUTHENTICATED") {
    signInFirst();
    return;
  }
  if (view) show(view);
  say(apiError.message, true);
}

async function claim(input: { token: string } | { userCode: string } | { scanned: string }): Promise<void> {
  show("busy");
  say(words.t("page.checking"));
  codeProblem("");
  try {
    const result = "scanned" in input ? await approver.scanQr(input.scanned) : await approver.scan(input);
    showCard(result);
  } catch (error) {
    const typed = "userCode" in input && error instanceof ApiError && error.code !== "APPROVER_UNAUTHENTICATED";
    if (!typed) {
      fail(error, "start");
      return;
    }
    // A typed code that did not work is said beside the field, where the person will type again.
    show("start");
    say("");
    codeProblem(error.message);
    $("code").focus();
  }
}

/** The scanned request's card, alone on the page until it is answered or another code is scanned. */
function showCard(card: RequestCard): void {
  scanned?.drop();
  const rendered = renderRequestCard(template, card, approver, words, (outcome) => {
    scanned = null;
    if (outcome.ok) {
      show("result", $("again"));
      say(outcome.text);
    } else {
      fail(outcome.error, "result");
    }
  });
  scanned = rendered;
  $("card").replaceChildren(rendered.element);
  show("card", rendered.element.querySelector<HTMLElement>(".title") ?? undefined);
  say(words.t(card.passkeyRequired ? "page.checkPasskey" : card.numberRequired ? "page.checkNumber" : "page.check"));
}

/** A push request: shown above whatever the person is doing, until answered or resolved. */
function addPush(card: RequestCard): void {
  if (pushes.has(card.id)) return;
  const rendered = renderRequestCard(template, card, approver, words, (outcome: CardOutcome) => {
    pushes.delete(card.id);
    showPushes();
    if (outcome.ok) say(outcome.text);
    else fail(outcome.error);
  });
  pushes.set(card.id, rendered);
  $("pushes").append(rendered.element);
  showPushes();
  say(words.t("page.pushWaiting"));
}

function dropPush(id: string): void {
  if (!pushes.get(id)?.drop()) return;
  pushes.delete(id);
  showPushes();
  say(words.t("page.pushGone"));
}

function startCamera(): void {
  const controller = new AbortController();
  camera = controller;
  $("scan").hidden = true;
  $("camera").hidden = false;
  say(words.t("page.pointCamera"));
  scanWithCamera($<HTMLVideoElement>("video"), controller.signal).then(
    (text) => {
      stopCamera();
      void claim({ scanned: text });
    },
    (error: unknown) => {
      stopCamera();
      const denied = error instanceof DOMException && error.name === "NotAllowedError";
      say(words.t(denied ? "page.cameraBlocked" : "page.cameraFailed"), true);
    },
  );
}

/** The scan token of the fragment, if any. It must not stay in the address bar, history or a bookmark: read, then dropped. */
function takeToken(): string | null {
  const token = new URLSearchParams(location.hash.slice(1)).get("t");
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  return token;
}

$("scan").onclick = startCamera;
$("camera-stop").onclick = () => {
  stopCamera();
  say("");
};
$("code-form").onsubmit = (event) => {
  event.preventDefault();
  // NFKC: full-width letters from a Japanese or Chinese input method become the letters of the code.
  const userCode = $<HTMLInputElement>("code").value.normalize("NFKC").trim();
  if (userCode) void claim({ userCode });
};
$("code").addEventListener("input", () => codeProblem(""));
$("again").onclick = () => {
  show("start");
  say("");
};
$("no-camera").hidden = cameraAvailable();

const token = takeToken();
if (!approverName) {
  show("signin");
  if (token) say(words.t("page.signInFirst"));
} else {
  if (token) void claim({ token });
  else show("start");
  approver.followPushes({ onPush: addPush, onResolved: dropPush, onAlert: showAlert, onError: (e) => fail(e) });
}
// The phone's camera app opens a second QR's link in this same page: only the fragment changes.
window.addEventListener("hashchange", () => {
  const next = takeToken();
  if (!next) return;
  if (approverName) void claim({ token: next });
  else signInFirst();
});

if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register(`${basePath}/sw.js`, { scope: `${basePath}/` }).catch(() => {});
}
