// The phone approval page (served at basePath + "/a"): takes a scan token from the fragment, the
// camera or a typed code, shows who is asking, and sends the person's answer.
import { ApiError, createApprover, type ScanResult } from "../approver.ts";
import { cameraAvailable, scanWithCamera } from "./camera-scanner.ts";
import { fillRequesterCard } from "./requester-card.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`approval page: #${id} is missing`);
  return element as T;
};
const views = ["signin", "start", "busy", "card", "result"] as const;
type View = (typeof views)[number];

const { basePath = "/qrlogin", approver: approverName = "" } = document.body.dataset;
const approver = createApprover({ origin: location.origin, basePath });
let camera: AbortController | null = null;

function show(view: View, focus?: HTMLElement): void {
  for (const name of views) $(name).hidden = name !== view;
  if (view !== "start") stopCamera();
  focus?.focus();
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

function fail(error: unknown, view: View = "start"): void {
  const apiError = error instanceof ApiError ? error : new ApiError("NETWORK_ERROR", 0);
  if (apiError.code === "APPROVER_UNAUTHENTICATED") {
    show("signin");
    say("Sign in on this phone first, then scan the code again.", true);
    return;
  }
  show(view);
  say(apiError.message, true);
}

async function claim(input: { token: string } | { userCode: string } | { scanned: string }): Promise<void> {
  show("busy");
  say("Checking the code…");
  try {
    const result = "scanned" in input ? await approver.scanQr(input.scanned) : await approver.scan(input);
    showCard(result);
  } catch (error) {
    fail(error);
  }
}

function showCard(result: ScanResult): void {
  fillRequesterCard(
    {
      origin: $("card-origin"),
      device: $("card-device"),
      ip: $("card-ip"),
      location: $("card-location"),
      age: $("card-age"),
      network: $("card-network"),
    },
    result.requester,
    Date.now(),
  );
  show("card", $("card-title"));
  say("Check who is asking, then approve or deny.");
  const decide = async (action: () => Promise<unknown>, done: string) => {
    for (const id of ["approve", "deny", "not-me"]) $<HTMLButtonElement>(id).disabled = true;
    try {
      await action();
      show("result", $("again"));
      say(done);
    } catch (error) {
      fail(error, "result");
    } finally {
      for (const id of ["approve", "deny", "not-me"]) $<HTMLButtonElement>(id).disabled = false;
    }
  };
  $("approve").onclick = () =>
    decide(() => approver.approve(result.id), "Approved. The other device is signing in now.");
  $("deny").onclick = () => decide(() => approver.deny(result.id), "Denied. Nobody was signed in.");
  $("not-me").onclick = () =>
    decide(
      () => approver.deny(result.id, { reason: "not_me" }),
      "Blocked. Nobody was signed in. If someone sent you that code, don't scan codes from others.",
    );
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
} else if (token) {
  void claim({ token });
} else {
  show("start");
}

if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register(`${basePath}/sw.js`, { scope: `${basePath}/` }).catch(() => {});
}
