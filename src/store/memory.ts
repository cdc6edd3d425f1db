import type { LoginRequest, RequestPatch, TransitionGuard } from "../core/login-request.ts";
import { guardHolds } from "./guard.ts";
import {
  type AuditEntry,
  type ChangeMessage,
  type CounterState,
  type LoginStore,
  type Notifier,
  RESYNC,
  UserCodeTakenError,
} from "./login-store.ts";

/**
 * A store in this process's memory: for tests and for embedding where losing requests on restart
 * is acceptable. Each method runs to completion without awaiting, so every transition is atomic.
 * @example const qr = createQrLogin({ store: new MemoryStore(), ... })
 */
export class MemoryStore implements LoginStore {
  readonly #byId = new Map<string, LoginRequest>();
  readonly #idByToken = new Map<string, string>();
  readonly #idByCode = new Map<string, string>();
  readonly #counters = new Map<string, CounterState>();
  #audit: AuditEntry[] = [];

  async create(request: LoginRequest): Promise<void> {
    if (this.#idByCode.has(request.userCodeHash)) throw new UserCodeTakenError();
    if (this.#byId.has(request.id)) throw new Error(`request ${request.id} already exists`);
    this.#byId.set(request.id, structuredClone(request));
    this.#idByToken.set(request.scanTokenHash, request.id);
    this.#idByCode.set(request.userCodeHash, request.id);
  }

  async get(id: string): Promise<LoginRequest | null> {
    const request = this.#byId.get(id);
    return request ? structuredClone(request) : null;
  }

  async findByScanTokenHash(tokenHash: string): Promise<LoginRequest | null> {
    const id = this.#idByToken.get(tokenHash);
    const request = id === undefined ? undefined : this.#byId.get(id);
    // The index keeps tokens of rotations past; only the current and previous ones count.
    if (!request || (request.scanTokenHash !== tokenHash && request.previousScanTokenHash !== tokenHash)) return null;
    return structuredClone(request);
  }

  async findByUserCodeHash(codeHash: string): Promise<LoginRequest | null> {
    const id = this.#idByCode.get(codeHash);
    return id === undefined ? null : this.get(id);
  }

  async transition(id: string, guard: TransitionGuard, patch: RequestPatch): Promise<LoginRequest | null> {
    const current = this.#byId.get(id);
    if (!current || !guardHolds(current, guard)) return null;
    const updated: LoginRequest = { ...current, ...patch, version: current.version + 1 };
    this.#byId.set(id, updated);
    if (patch.scanTokenHash !== undefined) {
      if (current.previousScanTokenHash) this.#idByToken.delete(current.previousScanTokenHash);
      this.#idByToken.set(patch.scanTokenHash, id);
    }
    return structuredClone(updated);
  }

  async listPushRequests(approverId: string, now: number): Promise<LoginRequest[]> {
    return [...this.#byId.values()]
      .filter((r) => r.mode === "push" && r.state === "scanned" && r.approverId === approverId && r.expiresAt > now)
      .map((r) => structuredClone(r));
  }

  async hit(key: string, windowMs: number, now: number): Promise<CounterState> {
    const running = this.#counters.get(key);
    const counter =
      running && running.resetAt > now
        ? { ...running, count: running.count + 1 }
        : { count: 1, resetAt: now + windowMs };
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

  async purge(before: number): Promise<number> {
    for (const [key, counter] of this.#counters) if (counter.resetAt < before) this.#counters.delete(key);
    this.#audit = this.#audit.filter((e) => e.at >= before);
    let count = 0;
    for (const [id, request] of this.#byId) {
      if (request.expiresAt >= before) continue;
      this.#byId.delete(id);
      this.#idByToken.delete(request.scanTokenHash);
      if (request.previousScanTokenHash) this.#idByToken.delete(request.previousScanTokenHash);
      this.#idByCode.delete(request.userCodeHash);
      count++;
    }
    return count;
  }

  async close(): Promise<void> {}
}

/**
 * Publish/subscribe inside one process: enough for a single instance, and the base of the
 * cross-instance notifiers, which fan a message out locally once it arrives.
 */
export class LocalNotifier implements Notifier {
  readonly #listeners = new Map<string, Set<(message: ChangeMessage) => void>>();

  async publish(channel: string, message: ChangeMessage): Promise<void> {
    this.deliver(channel, message);
  }

  /** Hands a message to this process's listeners of `channel`; a throwing listener does not stop the others. */
  deliver(channel: string, message: ChangeMessage): void {
    for (const listener of this.#listeners.get(channel) ?? []) {
      try {
        listener(message);
      } catch {
        // A listener's failure is its own; the others must still hear of the change.
      }
    }
  }

  /** Hands {@link RESYNC} to every listener of every channel: messages may have been lost. */
  resync(): void {
    for (const channel of [...this.#listeners.keys()]) this.deliver(channel, RESYNC);
  }

  async subscribe(channel: string, listener: (message: ChangeMessage) => void): Promise<() => Promise<void>> {
    const set = this.#listeners.get(channel) ?? new Set();
    this.#listeners.set(channel, set);
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(channel) === set) this.#listeners.delete(channel);
    };
  }

  /** How many channels have listeners here (for tests and metrics). */
  get channelCount(): number {
    return this.#listeners.size;
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
