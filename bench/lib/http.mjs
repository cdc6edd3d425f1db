// A small HTTP/1.1 client for the load generators: JSON and form calls over keep-alive agents, a
// cookie jar that honours cookie paths, and an event-stream reader. Loopback only.
import { Agent, request } from "node:http";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Refuses any address but this machine's own: the benchmarks never leave loopback. */
export function assertLoopback(base) {
  const { hostname } = new URL(base);
  if (!LOOPBACK.has(hostname)) throw new Error(`bench: refusing non-loopback target ${base}`);
}

/**
 * The loopback address this process connects from (BENCH_LOCAL_ADDRESS, e.g. 127.0.0.2): each
 * source address has its own ~28,000 ephemeral ports, so 100,000 streams need several.
 */
const localAddress = process.env.BENCH_LOCAL_ADDRESS || undefined;

/** A keep-alive agent; `sockets` caps how many connections it opens to one server. */
export function keepAlive(sockets = 64) {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, localAddress });
}

/**
 * One request. `json` or `form` become the body. Resolves with status, headers and the body
 * (parsed when it is JSON); never follows redirects. Rejects after `timeoutMs`.
 */
export function call(base, method, path, { headers = {}, json, form, agent, timeoutMs = 30_000 } = {}) {
  assertLoopback(base);
  const url = new URL(path, base);
  let body;
  const sent = { ...headers };
  if (json !== undefined) {
    body = JSON.stringify(json);
    sent["content-type"] = "application/json";
  } else if (form !== undefined) {
    body = new URLSearchParams(form).toString();
    sent["content-type"] = "application/x-www-form-urlencoded";
  }
  if (body !== undefined) sent["content-length"] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: sent, agent, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed = text;
        if (/json/.test(res.headers["content-type"] ?? "") && text) {
          try {
            parsed = JSON.parse(text);
          } catch {
            // leave it as text
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${url.pathname} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** Cookies by name, each sent only under its own path, as a browser would. */
export class CookieJar {
  #cookies = new Map();

  /** Takes the `Set-Cookie` headers of an answer. */
  take(headers) {
    for (const line of headers["set-cookie"] ?? []) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = "/";
      let expired = value === "";
      for (const attribute of attributes) {
        const [key, val = ""] = attribute.trim().split("=");
        if (key.toLowerCase() === "path") path = val;
        if (key.toLowerCase() === "max-age" && Number(val) <= 0) expired = true;
        if (key.toLowerCase() === "expires" && Date.parse(val) <= Date.now()) expired = true;
      }
      const key = `${name}\0${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  /** The `Cookie` header for a request to `path`. */
  header(path) {
    const sent = [];
    for (const { name, value, path: scope } of this.#cookies.values()) {
      if (path === scope || path.startsWith(scope.endsWith("/") ? scope : `${scope}/`)) sent.push(`${name}=${value}`);
    }
    return sent.join("; ");
  }
}

/** An event stream the server answered with something else than 200; `status` says what. */
export class StreamRefused extends Error {
  constructor(status) {
    super(`event stream answered ${status}`);
    this.status = status;
  }
}

/** An event stream whose answer did not begin in time: the server is slow, or holds the connection. */
export class StreamUnanswered extends Error {}

/**
 * Opens an event stream on its own connection. `onEvent(name, data)` sees each event;
 * resolves once the response head arrived, with `close()` and `ended`. Rejects with
 * {@link StreamRefused} on another status, and {@link StreamUnanswered} when no head came within `timeoutMs`.
 */
export function openEvents(base, path, headers, onEvent, { onEnd, timeoutMs = 30_000 } = {}) {
  assertLoopback(base);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), {
      headers: { accept: "text/event-stream", ...headers },
      agent: false,
      localAddress,
    });
    const timer = setTimeout(
      () => req.destroy(new StreamUnanswered(`no answer to ${path} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on("response", (res) => {
      clearTimeout(timer);
      if (res.statusCode !== 200) {
        res.resume();
        reject(new StreamRefused(res.statusCode));
        return;
      }
      res.setEncoding("utf8");
      let buffer = "";
      const stream = {
        ended: false,
        close: () => req.destroy(),
      };
      res.on("data", (text) => {
        buffer += text;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          let event;
          let data;
          for (const line of frame.split("\n")) {
            if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data = line.slice(6);
          }
          if (event) onEvent(event, data);
        }
      });
      const ended = () => {
        if (stream.ended) return;
        stream.ended = true;
        onEnd?.();
      };
      res.on("end", ended);
      res.on("close", ended);
      res.on("error", ended);
      resolve(stream);
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

/** The value of the first `name="…" value="…"` hidden input in an HTML form. */
export function formValue(html, name) {
  const match = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html);
  return match?.[1];
}

/** Percentile by nearest rank of a sorted array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
