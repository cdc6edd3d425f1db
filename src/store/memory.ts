import type { LoginRequest, RequestPatch, TransitionGuard } from "../core/login-request.ts";
import { guardHolds } from "./guard.ts";
import { type Alert, type AuditEntry, type CounterState, type LoginStore, UserCodeTakenError } from "./login-store.ts";

/**
 * A store in this process's memory: for tests and for embedding where losing requests on restart
 * is acceptable. Each method runs to completion without awaiting, so every transition is atomic.
 * @example const qr = createQrLogin({ store: new MemoryStore(), ... })
 */
export class MemoryStore implements LoginStore {
  readonly #byId = new Map<string, LoginRequest>();
  readonly #idByCode = new Map<string, string>();
  readonly #counters = new Map<string, CounterState>();
  #audit: AuditEntry[] = [];
  #alerts: Alert[] = [];

  async create(request: LoginRequest): Promise<void> {
    if (request.userCodeHash !== null && this.#idByCode.has(request.userCodeHash)) throw new UserCodeTakenError();
    if (this.#byId.has(request.id)) throw new Error(`request ${request.id} already exists`);
    this.#byId.set(request.id, structuredClone(request));
    if (request.userCodeHash !== null) this.#idByCode.set(request.userCodeHash, request.id);
  }

  async get(id: string): Promise<LoginRequest | null> {
    const request = this.#byId.get(id);
    return request ? structuredClone(request) : null;
  }

  async versions(ids: string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const id of ids) {
      const request = this.#byId.get(id);
      if (request) found.set(id, request.version);
    }
    return found;
  }

  async findByUserCodeHash(codeHash: string): Promise<LoginRequest | null> {
    const id = this.#idByCode.get(codeHash);
    const request = id === undefined ? undefined : this.#byId.get(id);
    if (!request || (request.userCodeHash !== codeHash && request.previousUserCodeHash !== codeHash)) return null;
    return structuredClone(request);
  }

  async transition(id: string, guard: TransitionGuard, patch: RequestPatch): Promise<LoginRequest | null> {
    const current = this.#byId.get(id);
    if (!current || !guardHolds(current, guard)) return null;
    const codeOwner = patch.userCodeHash == null ? undefined : this.#idByCode.get(patch.userCodeHash);
    if (codeOwner !== undefined && codeOwner !== id) throw new UserCodeTakenError();
    const updated: LoginRequest = { ...current, ...patch, version: current.version + 1 };
    this.#byId.set(id, updated);
    // The index keeps only the current and previous code; older ones are dropped.
    if (patch.userCodeHash != null) {
      if (current.previousUserCodeHash) this.#idByCode.delete(current.previousUserCodeHash);
      this.#idByCode.set(patch.userCodeHash, id);
    }
    return structuredClone(updated);
  }

  async listPushRequests(approverId: string, now: number): Promise<LoginRequest[]> {
    return [...this.#byId.values()]
      .filter((r) => r.mode === "push" && r.state === "scanned" && r.approverId === approverId && r.expiresAt > now)
      .map((r) => structuredClone(r));
  }

  async hit(key: string, windowMs: number, now: number, by = 1): Promise<CounterState> {
    const running = this.#counters.get(key);
    const live = running && running.resetAt > now ? running : null;
    if (by < 0 && !live) return { count: 0, resetAt: now };
    const counter = live
      ? { ...live, count: Math.max(0, live.count + by) }
      : { count: Math.max(0, by), resetAt: now + windowMs };
    this.#counters.set(key, counter);
    return { ...counter };
  }

  async peekCounter(key: string, now: number): Promise<CounterState | null> {
    const running = this.#counters.get(key);
    return running && running.resetAt > now ? { ...running } : null;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.#audit.push(structuredClone(entry));
  }

  async listAudit(userId: string, limit: number): Promise<AuditEntry[]> {
    return this.#audit
      .filter((e) => e.userId === userId)
      .sort((a, b) => b.at - a.at)
      .slice(0, limit)
      .map((e) => structuredClone(e));
  }

  async appendAlert(alert: Alert): Promise<void> {
    this.#alerts.push(structuredClone(alert));
  }

  async listAlerts(userId: string, limit: number): Promise<Alert[]> {
    return this.#alerts
      .filter((a) => a.userId === userId)
      .sort((a, b) => b.at - a.at)
      .slice(0, limit)
      .map((a) => structuredClone(a));
  }

  async purge(before: number): Promise<number> {
    for (const [key, counter] of this.#counters) if (counter.resetAt < before) this.#counters.delete(key);
    this.#audit = this.#audit.filter((e) => e.at >= before);
    this.#alerts = this.#alerts.filter((a) => a.at >= before);
    let count = 0;
    for (const [id, request] of this.#byId) {
      if (request.expiresAt >= before) continue;
      this.#byId.delete(id);
      if (request.userCodeHash) this.#idByCode.delete(request.userCodeHash);
      if (request.previousUserCodeHash) this.#idByCode.delete(request.previousUserCodeHash);
      count++;
    }
    return count;
  }

  async close(): Promise<void> {}
}
