import { QrLoginError } from "../core/errors.ts";
import type { IncomingRequest } from "./incoming.ts";
import type { EventSink } from "./outgoing.ts";

/** How many event streams and long-polls one instance holds open at once, per holder. */
export interface StreamLimits {
  /** Per login request (the desktop's streams and long-polls). */
  perRequest: number;
  /** Per client network: an IPv4 address or an IPv6 /64. */
  perIp: number;
  /** Per signed-in approver (the phone's `/approver/events`). */
  perApprover: number;
  /** All of them together: each holds a connection, so a process can hold only as many as its open files allow. */
  perInstance: number;
}

/** Whose stream it is: a desktop's, by its request, or a signed-in approver's own. */
export type StreamOwner = { request: string } | { approver: string };

/**
 * Counts the event streams and long-polls open in this process, so that one client cannot hold
 * thousands of connections, and all of them cannot take more connections than the process has open
 * files for. In memory on purpose: each is a socket of this process, and its slot comes back when it
 * closes.
 */
export class StreamSlots {
  readonly #open = new Map<string, number>();

  constructor(private readonly limits: StreamLimits) {}

  /**
   * Takes a slot for a stream of `owner` opened by `incoming`, or refuses with `TOO_MANY_STREAMS`
   * (429), taking nothing. The slot comes back when the client goes away or the returned release is
   * called, whichever comes first; releasing twice is harmless.
   */
  take(incoming: IncomingRequest, owner: StreamOwner): () => void {
    const { perRequest, perIp, perApprover, perInstance } = this.limits;
    const wanted: { key: string; limit: number; refusal: string }[] = [];
    if ("request" in owner) {
      wanted.push({
        key: `request ${owner.request}`,
        limit: perRequest,
        refusal: `This login request already has ${perRequest} open event streams or long-polls; close one first.`,
      });
    } else {
      wanted.push({
        key: `approver ${owner.approver}`,
        limit: perApprover,
        refusal: `This account already has ${perApprover} open approver event streams; close one first.`,
      });
    }
    const network = networkOf(incoming.ip);
    // Without an address (a Web runtime that gives none) every client would share one count: none is kept.
    if (network !== undefined) {
      wanted.push({
        key: `network ${network}`,
        limit: perIp,
        refusal: `Your address already has ${perIp} open event streams or long-polls; close some first.`,
      });
    }
    // Last, so that a client over its own limit is told so rather than that the server is full.
    wanted.push({
      key: "instance",
      limit: perInstance,
      refusal: "This server holds as many event streams as it can; try again in a few seconds.",
    });
    for (const { key, limit, refusal } of wanted) {
      if ((this.#open.get(key) ?? 0) >= limit) throw new QrLoginError("TOO_MANY_STREAMS", refusal);
    }
    for (const { key } of wanted) this.#open.set(key, (this.#open.get(key) ?? 0) + 1);
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      for (const { key } of wanted) {
        const left = (this.#open.get(key) ?? 1) - 1;
        if (left > 0) this.#open.set(key, left);
        else this.#open.delete(key);
      }
    };
    if (incoming.signal.aborted) release();
    else incoming.signal.addEventListener("abort", release, { once: true });
    return release;
  }
}

/** `stream`, with `release` run once it ends, however it ends. */
export function releasingWhenDone(
  stream: (sink: EventSink) => () => void,
  release: () => void,
): (sink: EventSink) => () => void {
  return (sink) => {
    const cleanup = stream(sink);
    return () => {
      cleanup();
      release();
    };
  };
}

/**
 * The unit a client's streams are counted by: an IPv4 address (also when IPv4-mapped), or the /64
 * of an IPv6 one, since one host is commonly given a whole /64.
 * @example networkOf("2001:db8:1:2:aaaa::1") // "2001:db8:1:2::/64"
 */
export function networkOf(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  const bare = ip.replace(/%.*$/, "").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  if (!bare.includes(":")) return bare;
  const [head = "", tail] = bare.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  // A dotted IPv4 tail stands for two groups; "::" for as many zero groups as are missing.
  const size = (groups: string[]) => groups.reduce((n, group) => n + (group.includes(".") ? 2 : 1), 0);
  const zeros = tail === undefined ? 0 : Math.max(0, 8 - size(left) - size(right));
  const groups = [...left, ...Array<string>(zeros).fill("0"), ...right];
  const prefix = groups.slice(0, 4).map((group) => (Number.parseInt(group, 16) || 0).toString(16));
  return `${prefix.join(":")}::/64`;
}
