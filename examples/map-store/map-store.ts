// A third-party store in a few dozen lines: every LoginStore method over plain Maps, linear scans
// included. It shows the contract, not a way to run production; `qrlogin/testing` checks it.
import type { Alert, AuditEntry, CounterState, LoginRequest, LoginStore } from "../../src/index.ts";
import { UserCodeTakenError } from "../../src/index.ts";

const copy = <T>(value: T): T => structuredClone(value);

/** A {@link LoginStore} over Maps. Each method finishes without awaiting, so each one is atomic. */
export class MapStore implements LoginStore {
  readonly requests = new Map<string, LoginRequest>();
  readonly counters = new Map<string, CounterState>();
  audit: AuditEntry[] = [];
  alerts: Alert[] = [];

  #find(match: (r: LoginRequest) => boolean): LoginRequest | null {
    for (const request of this.requests.values()) if (match(request)) return copy(request);
    return null;
  }

  #codeOwner(hash: string): LoginRequest | null {
    return this.#find((r) => r.userCodeHash === hash || r.previousUserCodeHash === hash);
  }

  async create(request: LoginRequest) {
    if (request.userCodeHash !== null && this.#codeOwner(request.userCodeHash)) throw new UserCodeTakenError();
    this.requests.set(request.id, copy(request));
  }

  async get(id: string) {
    const request = this.requests.get(id);
    return request ? copy(request) : null;
  }

  async versions(ids: string[]) {
    const found = new Map<string, number>();
    for (const id of ids) {
      const request = this.requests.get(id);
      if (request) found.set(id, request.version);
    }
    return found;
  }

  async findByUserCodeHash(hash: string) {
    return this.#codeOwner(hash);
  }

  async transition(id: string, guard: Parameters<LoginStore["transition"]>[1], patch: object) {
    const r = this.requests.get(id);
    if (!r || !guard.from.includes(r.state) || r.expiresAt <= guard.liveAt) return null;
    if (guard.version !== undefined && r.version !== guard.version) return null;
    const code = (patch as Partial<LoginRequest>).userCodeHash;
    const owner = code == null ? null : this.#codeOwner(code);
    if (owner && owner.id !== id) throw new UserCodeTakenError();
    const updated = { ...r, ...patch, version: r.version + 1 };
    this.requests.set(id, updated);
    return copy(updated);
  }

  async listPushRequests(approverId: string, now: number) {
    return [...this.requests.values()]
      .filter((r) => r.mode === "push" && r.state === "scanned" && r.approverId === approverId && r.expiresAt > now)
      .map(copy);
  }

  async hit(key: string, windowMs: number, now: number, by = 1) {
    const running = this.counters.get(key);
    const live = running && running.resetAt > now ? running : null;
    if (!live && by < 0) return { count: 0, resetAt: now };
    const next = live
      ? { count: Math.max(0, live.count + by), resetAt: live.resetAt }
      : { count: by, resetAt: now + windowMs };
    this.counters.set(key, next);
    return { ...next };
  }

  async peekCounter(key: string, now: number) {
    const running = this.counters.get(key);
    return running && running.resetAt > now ? { ...running } : null;
  }

  async appendAudit(entry: AuditEntry) {
    this.audit.push(copy(entry));
  }

  async listAudit(userId: string, limit: number) {
    return this.audit
      .filter((e) => e.userId === userId)
      .sort((a, b) => b.at - a.at)
      .slice(0, limit)
      .map(copy);
  }

  async appendAlert(alert: Alert) {
    this.alerts.push(copy(alert));
  }

  async listAlerts(userId: string, limit: number) {
    return this.alerts
      .filter((a) => a.userId === userId)
      .sort((a, b) => b.at - a.at)
      .slice(0, limit)
      .map(copy);
  }

  async purge(before: number) {
    for (const [key, counter] of this.counters) if (counter.resetAt < before) this.counters.delete(key);
    this.audit = this.audit.filter((e) => e.at >= before);
    this.alerts = this.alerts.filter((a) => a.at >= before);
    let purged = 0;
    for (const [id, r] of this.requests) if (r.expiresAt < before && this.requests.delete(id)) purged++;
    return purged;
  }

  async close() {}
}
