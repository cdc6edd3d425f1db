import { qrUrlAt } from "../../src/browser/qr-schedule.ts";
import type { QrSchedule } from "../../src/wire.ts";
import { TEST_USER_HEADER } from "./server.ts";

/** A JSON answer: status, body and headers. */
export interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: string };
  headers: Headers;
}

async function call(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
}

/** The desktop: makes a request, keeps its browser-secret cookie, follows events, redeems. */
export class Desktop {
  cookie = "";
  id = "";
  qrUrl = "";
  /** Every period's QR, made from the creation answer as the element makes them; `qrUrl` is the first. */
  qrUrls: string[] = [];
  /** The typed code, once {@link showCode} asked for one. */
  userCode = "";

  constructor(readonly base: string) {}

  /** The scan token in the QR's fragment. */
  get scanToken(): string {
    return new URL(this.qrUrl).hash.replace(/^#t=/, "");
  }

  async create(body: unknown = {}, headers: Record<string, string> = {}): Promise<Answer> {
    const answer = await call(`${this.base}/qrlogin/requests`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
        ...headers,
      },
      body: JSON.stringify(body),
    });
    this.cookie = (answer.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    this.id = String(answer.body.id);
    const qr = answer.body.qr as QrSchedule | undefined;
    this.qrUrls = qr ? Array.from({ length: qr.periods }, (_, period) => qrUrlAt(qr, period) as string) : [];
    this.qrUrl = this.qrUrls[0] ?? "";
    return answer;
  }

  /** Asks for a typed code to show (the person cannot scan), and keeps it in `userCode`. */
  async showCode(): Promise<Answer> {
    const answer = await this.request("/user-code", { method: "POST" });
    if (answer.status === 200) this.userCode = String(answer.body.userCode);
    return answer;
  }

  request(path: string, init: RequestInit = {}): Promise<Answer> {
    return call(`${this.base}/qrlogin/requests/${this.id}${path}`, {
      ...init,
      headers: { cookie: this.cookie, ...(init.headers as Record<string, string>) },
    });
  }

  redeem(): Promise<Answer> {
    return this.request("/redeem", { method: "POST" });
  }

  /** Opens the event stream over a real socket. */
  events(lastEventId?: number): Promise<EventStream> {
    const headers: Record<string, string> = { cookie: this.cookie, accept: "text/event-stream" };
    if (lastEventId !== undefined) headers["last-event-id"] = String(lastEventId);
    return EventStream.open(`${this.base}/qrlogin/requests/${this.id}/events`, headers);
  }
}

/** The phone of a signed-in user; `ip` is sent as `X-Forwarded-For` (for servers that trust a proxy). */
export class Phone {
  constructor(
    readonly base: string,
    readonly user: string | null,
    readonly ip?: string,
  ) {}

  #auth(): Record<string, string> {
    const headers: Record<string, string> = this.user ? { [TEST_USER_HEADER]: this.user } : {};
    if (this.ip) headers["x-forwarded-for"] = this.ip;
    return headers;
  }

  post(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const auth = this.#auth();
    return call(`${this.base}/qrlogin${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return call(`${this.base}/qrlogin${path}`, { headers: { ...this.#auth(), ...headers } });
  }

  /** The approver's own stream of push requests and alerts. */
  events(): Promise<EventStream> {
    return EventStream.open(`${this.base}/qrlogin/approver/events`, this.#auth());
  }

  scan(token: string): Promise<Answer> {
    return this.post("/scan", { token });
  }

  typeCode(userCode: string): Promise<Answer> {
    return this.post("/scan", { userCode });
  }

  approve(id: string, number?: number): Promise<Answer> {
    return this.post(`/requests/${id}/approve`, number === undefined ? {} : { number });
  }

  deny(id: string, reason?: string): Promise<Answer> {
    return this.post(`/requests/${id}/deny`, reason === undefined ? {} : { reason });
  }
}

/** One parsed Server-Sent Event. */
export interface ReceivedEvent {
  event: string;
  id: string | undefined;
  data: Record<string, unknown>;
}

/** A client of a `text/event-stream` response that parses frames as they arrive. */
export class EventStream {
  readonly received: ReceivedEvent[] = [];
  comments = 0;
  retry: number | undefined;
  ended = false;
  #waiters: (() => void)[] = [];
  #controller = new AbortController();

  static async open(url: string, headers: Record<string, string>): Promise<EventStream> {
    const stream = new EventStream();
    const response = await fetch(url, { headers, signal: stream.#controller.signal });
    if (response.status !== 200 || !response.body) {
      throw Object.assign(new Error(`event stream answered ${response.status}`), {
        status: response.status,
        body: await response.text(),
      });
    }
    stream.#read(response.body);
    await stream.#until(() => stream.retry !== undefined || stream.ended, 5000, "the stream's first frame");
    return stream;
  }

  async #read(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      const reader = body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          this.#frame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
    this.#wake();
  }

  #frame(frame: string) {
    let event = "message";
    let id: string | undefined;
    const data: string[] = [];
    for (const line of frame.split("\n")) {
      if (line.startsWith(":")) this.comments++;
      else if (line.startsWith("retry: ")) this.retry = Number(line.slice(7));
      else if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("id: ")) id = line.slice(4);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (data.length > 0) this.received.push({ event, id, data: JSON.parse(data.join("\n")) });
    this.#wake();
  }

  #wake() {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Waits until `done()` holds, re-checking on every frame; rejects after `timeoutMs`. */
  async #until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves with the first event named `event` not yet taken, or rejects after `timeoutMs`. */
  async next(event: string, timeoutMs = 5000): Promise<ReceivedEvent> {
    const has = () => this.received.some((e) => e.event === event);
    await this.#until(() => has() || this.ended, timeoutMs, `"${event}" event`);
    const index = this.received.findIndex((e) => e.event === event);
    if (index < 0) throw new Error(`stream ended without a "${event}" event; got ${JSON.stringify(this.received)}`);
    return this.received.splice(index, 1)[0] as ReceivedEvent;
  }

  /** Resolves once the server has ended the stream. */
  closed(timeoutMs = 5000): Promise<void> {
    return this.#until(() => this.ended, timeoutMs, "end of stream");
  }

  close(): void {
    this.#controller.abort();
  }
}
