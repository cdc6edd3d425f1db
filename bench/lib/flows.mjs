import { createHmac } from "node:crypto";
// The sign-in, as the desktop and the phone perform it, for qrlogin and for the two polling peers.
// Each `*Sample` measures one sign-in from the moment the phone sends its approval to the moment
// the desktop holds its session, with the same clock (performance.now) in the same process.
import { performance } from "node:perf_hooks";
import { CookieJar, call, formValue, openEvents, StreamRefused, StreamUnanswered, sleep } from "./http.mjs";

export const BENCH_USER_HEADER = "x-bench-user";
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

function expect(answer, status, what) {
  if (answer.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  }
  return answer.body;
}

// ---------------------------------------------------------------- qrlogin

/** A desktop's new request: its id, browser secret and the scan token of its QR. */
export async function qrCreate(base, agent) {
  const body = expect(
    await call(base, "POST", "/qrlogin/requests", {
      json: { secretInBody: true },
      headers: { "user-agent": DESKTOP_UA },
      agent,
    }),
    201,
    "qrlogin create",
  );
  return { id: body.id, secret: body.browserSecret, token: firstScanToken(body.qr) };
}

/** The scan token of a QR schedule's first period, made as the desktop makes it (src/browser/qr-schedule.ts). */
function firstScanToken(qr) {
  const period = Buffer.from([0, 0]);
  const mac = createHmac("sha256", Buffer.from(qr.key, "base64url")).update(period).digest().subarray(0, 16);
  return new URL(qr.base).hash.slice(3) + Buffer.concat([period, mac]).toString("base64url");
}

/** Opens the desktop's event stream; `onEvent(name)` sees each event. */
export function qrEvents(base, desktop, onEvent, options) {
  return openEvents(
    base,
    `/qrlogin/requests/${desktop.id}/events`,
    { authorization: `Bearer ${desktop.secret}` },
    onEvent,
    options,
  );
}

/**
 * One sign-in: the desktop (on `desktopBase`) creates its request and listens; the phone (on
 * `phoneBase`) scans; once the desktop saw `scanned`, the clock starts as the approval is sent and
 * stops when the desktop's redeem answers with its session.
 */
export async function qrSample({ desktopBase, phoneBase, desktopAgent, phoneAgent, user = "alice" }) {
  const desktop = await qrCreate(desktopBase, desktopAgent);
  const waiters = new Map();
  const seen = new Map();
  const arrived = (event) =>
    new Promise((resolve) => {
      if (seen.has(event)) resolve(seen.get(event));
      else waiters.set(event, resolve);
    });
  const stream = await qrEventsRetried(desktopBase, desktop, (event) => {
    const at = performance.now();
    seen.set(event, at);
    waiters.get(event)?.(at);
  });
  const timeout = setTimeout(() => stream.close(), 10_000);
  try {
    const phone = { [BENCH_USER_HEADER]: user };
    expect(
      await call(phoneBase, "POST", "/qrlogin/scan", {
        json: { token: desktop.token },
        headers: phone,
        agent: phoneAgent,
      }),
      200,
      "qrlogin scan",
    );
    await arrived("scanned");
    const approvedEvent = arrived("approved");
    const t0 = performance.now();
    const approving = call(phoneBase, "POST", `/qrlogin/requests/${desktop.id}/approve`, {
      json: {},
      headers: phone,
      agent: phoneAgent,
    });
    const eventAt = await approvedEvent;
    const redeemed = await call(desktopBase, "POST", `/qrlogin/requests/${desktop.id}/redeem`, {
      headers: { authorization: `Bearer ${desktop.secret}` },
      agent: desktopAgent,
    });
    const t1 = performance.now();
    expect(redeemed, 200, "qrlogin redeem");
    if (typeof redeemed.body.session?.token !== "string") throw new Error("qrlogin redeem: no session token");
    expect(await approving, 200, "qrlogin approve");
    return { signedInMs: t1 - t0, eventMs: eventAt - t0 };
  } finally {
    clearTimeout(timeout);
    stream.close();
  }
}

/** How long a desktop keeps asking for a stream that is refused or not answered, before it counts as failed. */
const STREAM_TRIES_FOR_MS = 300_000;

/**
 * Opens the desktop's event stream (see {@link qrEvents}), asking again on a new connection, which
 * may reach another process: after 0.2–1 s when refused with 429 (the process the connection reached
 * holds all the streams it can; the page's script waits 5–10 s), at once when no answer began within
 * 30 s (a server far behind, or one holding the connection). `onRefused` and `onUnanswered` hear of each.
 */
export async function qrEventsRetried(
  base,
  desktop,
  onEvent,
  { onRefused = () => {}, onUnanswered = () => {}, ...options } = {},
) {
  const until = performance.now() + STREAM_TRIES_FOR_MS;
  for (;;) {
    try {
      return await qrEvents(base, desktop, onEvent, options);
    } catch (error) {
      const refused = error instanceof StreamRefused && error.status === 429;
      if (!(refused || error instanceof StreamUnanswered) || performance.now() > until) throw error;
      if (refused) {
        onRefused();
        await sleep(200 + Math.random() * 800);
      } else onUnanswered();
    }
  }
}

/** A desktop that waits: its request is created and its event stream held open. */
export async function qrWaiter(base, agent, counters) {
  const desktop = await qrCreate(base, agent);
  return qrEventsRetried(
    base,
    desktop,
    (event) => {
      counters.events++;
      if (event !== "qr") counters.unexpected++;
    },
    {
      onEnd: () => counters.ended++,
      onRefused: () => counters.refused++,
      onUnanswered: () => counters.unanswered++,
    },
  );
}

// ---------------------------------------------------------------- polling (RFC 8628) peers

/**
 * One device-flow sign-in with polling: the device polls every `intervalMs` from the moment it has
 * its code; the phone approves after `approveAfterMs` (its claim steps first); the clock runs from
 * the approval being sent to the poll that returns the token.
 */
async function pollingSample({ device, intervalMs, approveAfterMs }) {
  const codes = await device.create();
  let stopped = false;
  let slowDowns = 0;
  let polls = 0;
  const token = (async () => {
    for (;;) {
      await sleep(intervalMs);
      if (stopped) return null;
      polls++;
      const answer = await device.poll(codes);
      const at = performance.now();
      if (answer.status === 200) return at;
      const error = answer.body?.error;
      if (error === "slow_down") slowDowns++;
      else if (error !== "authorization_pending") {
        throw new Error(`poll: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
      }
    }
  })();
  token.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
  try {
    await sleep(approveAfterMs);
    const approve = await device.claim(codes);
    const t0 = performance.now();
    await approve();
    const t1 = await token;
    return { signedInMs: t1 - t0, polls, slowDowns };
  } finally {
    stopped = true;
  }
}

/** better-auth's device-authorization plugin under `/api/auth`. */
export function betterAuthDevice(base, { deviceAgent, phoneAgent, phoneCookie }) {
  return {
    async create() {
      const body = expect(
        await call(base, "POST", "/api/auth/device/code", { json: { client_id: "bench-device" }, agent: deviceAgent }),
        200,
        "better-auth device/code",
      );
      return { deviceCode: body.device_code, userCode: body.user_code };
    },
    poll({ deviceCode }) {
      return call(base, "POST", "/api/auth/device/token", {
        json: { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: "bench-device" },
        agent: deviceAgent,
      });
    },
    /** The phone opens the verification page (which claims the code), then approves. */
    async claim({ userCode }) {
      const headers = { cookie: phoneCookie, origin: base };
      expect(
        await call(base, "GET", `/api/auth/device?user_code=${encodeURIComponent(userCode)}`, {
          headers,
          agent: phoneAgent,
        }),
        200,
        "better-auth device verify",
      );
      return async () =>
        expect(
          await call(base, "POST", "/api/auth/device/approve", { json: { userCode }, headers, agent: phoneAgent }),
          200,
          "better-auth device/approve",
        );
    },
  };
}

/** Signs a phone user up with better-auth; returns its session cookie. */
export async function betterAuthSignUp(base, agent) {
  const answer = await call(base, "POST", "/api/auth/sign-up/email", {
    json: { email: `phone-${Date.now()}@example.com`, password: "correct horse battery staple", name: "Phone" },
    headers: { origin: base },
    agent,
  });
  expect(answer, 200, "better-auth sign-up");
  const jar = new CookieJar();
  jar.take(answer.headers);
  return jar.header("/api/auth/device");
}

/** node-oidc-provider's device flow; the phone's user is signed in by the bench server's header. */
export function oidcDevice(base, { deviceAgent, phoneAgent, user = "alice" }) {
  return {
    async create() {
      const body = expect(
        await call(base, "POST", "/device/auth", {
          form: { client_id: "bench-device", scope: "openid" },
          agent: deviceAgent,
        }),
        200,
        "oidc device/auth",
      );
      return { deviceCode: body.device_code, userCode: body.user_code };
    },
    poll({ deviceCode }) {
      return call(base, "POST", "/token", {
        form: { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: "bench-device" },
        agent: deviceAgent,
      });
    },
    /** The phone opens the verification URI, submits the code; approving is confirming it. */
    async claim({ userCode }) {
      const jar = new CookieJar();
      const phoneCall = async (method, path, form) => {
        const answer = await call(base, method, path, {
          form,
          headers: { cookie: jar.header(new URL(path, base).pathname), [BENCH_USER_HEADER]: user },
          agent: phoneAgent,
        });
        jar.take(answer.headers);
        return answer;
      };
      const opened = await phoneCall("GET", `/device?user_code=${encodeURIComponent(userCode)}`);
      const submitted = await phoneCall("POST", "/device", {
        xsrf: formValue(String(opened.body), "xsrf"),
        user_code: userCode,
      });
      const xsrf = formValue(String(submitted.body), "xsrf");
      return async () => {
        // Confirm, then follow the redirects through login + consent to the success page.
        let answer = await phoneCall("POST", "/device", { xsrf, user_code: userCode, confirm: "yes" });
        for (let hops = 0; answer.status >= 300 && answer.status < 400 && hops < 10; hops++) {
          answer = await phoneCall("GET", new URL(answer.headers.location, base).pathname);
        }
        expect(answer, 200, "oidc device confirm");
        if (!/success|signed in|connected/i.test(String(answer.body))) {
          throw new Error(`oidc device confirm: no success page: ${String(answer.body).slice(0, 300)}`);
        }
      };
    },
  };
}

/** One polling sign-in on `device`, with the approval at a uniformly random phase of the interval. */
export function pollingSignIn(device, intervalMs) {
  return pollingSample({ device, intervalMs, approveAfterMs: 500 + Math.random() * intervalMs });
}

/**
 * A device that waits: it has its code and polls it every `intervalMs` until `stop.stopped`, on
 * its own keep-alive connection.
 */
export async function pollingWaiter(device, intervalMs, counters, stop) {
  const codes = await device.create();
  (async () => {
    await sleep(Math.random() * intervalMs);
    while (!stop.stopped) {
      const answer = await device.poll(codes).catch((error) => ({ status: 0, body: { error: String(error) } }));
      counters.polls++;
      if (answer.body?.error === "slow_down") counters.slowDowns++;
      else if (answer.body?.error !== "authorization_pending") counters.unexpected++;
      await sleep(intervalMs);
    }
  })();
}
