import Bowser from "bowser";

/** Who is asking to be signed in, as the phone shows it. The User-Agent is the browser's own claim. */
export interface RequesterContext {
  /** e.g. "Chrome 120" (claimed by the browser). */
  browser: string;
  /** e.g. "Windows 10" (claimed by the browser). */
  os: string;
  /** "desktop", "mobile", "tablet", "tv" or "unknown" (claimed by the browser). */
  device: string;
  /** The User-Agent header, truncated. */
  userAgent: string;
  /** The requester's IP address as the server saw it (after trusted proxies), if known. */
  ip: string | null;
  /** The Origin header of the creating request, if any. */
  origin: string | null;
  /**
   * The OAuth client a device-flow request was made for (RFC 8628): only that client may redeem it.
   * `name` is the host's name for it (`deviceFlow.validateClient`). Absent on requests of the browser flow.
   */
  client?: { id: string; scope: string | null; name?: string };
}

const MAX_USER_AGENT = 512;

function label(name: string | undefined, version: string | undefined): string {
  if (!name) return "Unknown";
  return version ? `${name} ${version.split(".")[0]}` : name;
}

/**
 * Reads the requester's context from what the desktop sent.
 * @example describeRequester({ userAgent: req.headers["user-agent"], ip: "203.0.113.9", origin: null })
 */
export function describeRequester(input: {
  userAgent: string | undefined;
  ip: string | undefined;
  origin: string | undefined;
  client?: RequesterContext["client"];
}): RequesterContext {
  const userAgent = (input.userAgent ?? "").slice(0, MAX_USER_AGENT);
  const { browser, os, device } = parseUserAgent(userAgent);
  const context: RequesterContext = {
    browser,
    os,
    device,
    userAgent,
    ip: input.ip ?? null,
    origin: input.origin ?? null,
  };
  if (input.client) context.client = input.client;
  return context;
}

// Most requests come from a few browsers: parsing each distinct User-Agent once takes its cost
// (about 5 % of creating a request, by profile) off the hot path. Bounded, oldest evicted first.
const parsedAgents = new Map<string, Pick<RequesterContext, "browser" | "os" | "device">>();
const PARSED_AGENTS_MAX = 500;

function parseUserAgent(userAgent: string): Pick<RequesterContext, "browser" | "os" | "device"> {
  if (!userAgent) return { browser: "Unknown", os: "Unknown", device: "unknown" };
  const known = parsedAgents.get(userAgent);
  if (known) return known;
  const parsed = Bowser.parse(userAgent);
  const described = {
    browser: label(parsed.browser.name, parsed.browser.version),
    os: label(parsed.os.name, parsed.os.versionName ?? parsed.os.version),
    device: parsed.platform.type ?? "unknown",
  };
  if (parsedAgents.size >= PARSED_AGENTS_MAX) parsedAgents.delete(parsedAgents.keys().next().value as string);
  parsedAgents.set(userAgent, described);
  return described;
}

/**
 * An address without the IPv4-mapped prefix, so that `::ffff:192.0.2.1` and `192.0.2.1` are one (a
 * dual-stack socket reports IPv4 clients the first way; people know them the second).
 * @example unmapped("::ffff:127.0.0.1") // "127.0.0.1"
 */
export function unmapped(ip: string): string {
  return ip.replace(/^::ffff:(?=\d+\.)/i, "");
}

/**
 * Whether two addresses look like the same network: equal IPv4 /24 or IPv6 /64.
 * A hint for the person approving, not a proof (NAT, VPNs and CGNAT blur it). `null` when either
 * address is unknown.
 */
export function sameNetwork(a: string | null, b: string | null): boolean | null {
  if (!a || !b) return null;
  const x = unmapped(a);
  const y = unmapped(b);
  if (x.includes(".") && y.includes("."))
    return x.split(".").slice(0, 3).join(".") === y.split(".").slice(0, 3).join(".");
  if (x.includes(":") && y.includes(":")) return ipv6Prefix(x, 64) === ipv6Prefix(y, 64);
  return false;
}

/**
 * The key that per-address limits count under: an IPv4 address as it is, an IPv6 address by its
 * first `ipv6Bits` bits (default /64, what one subscriber is usually given), so that one network
 * cannot escape a limit by walking through its own addresses.
 * @example networkKey("2001:db8:1:2:aaaa::1") // "2001:db8:1:2::/64"
 */
export function networkKey(ip: string, ipv6Bits = 64): string {
  const address = unmapped(ip);
  if (!address.includes(":")) return address;
  return `${ipv6Prefix(address, ipv6Bits)}::/${ipv6Bits}`;
}

/** The first `bits` bits of an IPv6 address, as lower-case hex groups (a partial group is masked). */
function ipv6Prefix(ip: string, bits: number): string {
  const [head = "", tail = ""] = ip.split("%")[0]?.split("::") ?? [];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const full = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  const groups: string[] = [];
  for (let i = 0; i < Math.ceil(bits / 16); i++) {
    const value = Number.parseInt(full[i] || "0", 16) || 0;
    const keep = Math.min(16, bits - i * 16);
    groups.push((value & (0xffff << (16 - keep)) & 0xffff).toString(16));
  }
  return groups.join(":");
}
