import type { LoginRequest, RequestPatch, TransitionGuard } from "../core/login-request.ts";
import {
  type Alert,
  type AuditEntry,
  type CounterState,
  type LoginStore,
  type RequestChanges,
  UserCodeTakenError,
} from "../store/login-store.ts";
import type { MetricsRecorder, StoreOperation } from "./metrics-recorder.ts";

/**
 * A store that times each operation of the one it wraps and counts those that fail, whatever the
 * store: the flows and the rate limits use it in its place when metrics are on.
 */
export class MeasuredStore implements LoginStore {
  /** The feed of the store wrapped, timed, if it has one: the sweep reads versions without it. */
  readonly changesAfter?: (cursor: number | null, limit: number) => Promise<RequestChanges>;

  constructor(
    private readonly store: LoginStore,
    private readonly metrics: Pick<MetricsRecorder, "storeOperation">,
  ) {
    const { changesAfter } = store;
    if (changesAfter) {
      this.changesAfter = (cursor, limit) => this.#timed("changesAfter", () => changesAfter.call(store, cursor, limit));
    }
  }

  async #timed<T>(operation: StoreOperation, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    let failed = false;
    try {
      return await work();
    } catch (error) {
      // A user code already taken is the store's answer to a rare clash, not a failure of the store.
      failed = !(error instanceof UserCodeTakenError);
      throw error;
    } finally {
      this.metrics.storeOperation(operation, (performance.now() - start) / 1000, failed);
    }
  }

  create(request: LoginRequest): Promise<void> {
    return this.#timed("create", () => this.store.create(request));
  }

  get(id: string): Promise<LoginRequest | null> {
    return this.#timed("get", () => this.store.get(id));
  }

  versions(ids: string[]): Promise<Map<string, number>> {
    return this.#timed("versions", () => this.store.versions(ids));
  }

  findByUserCodeHash(codeHash: string): Promise<LoginRequest | null> {
    return this.#timed("findByUserCodeHash", () => this.store.findByUserCodeHash(codeHash));
  }

  transition(id: string, guard: TransitionGuard, patch: RequestPatch): Promise<LoginRequest | null> {
    return this.#timed("transition", () => this.store.transition(id, guard, patch));
  }

  listPushRequests(approverId: string, now: number): Promise<LoginRequest[]> {
    return this.#timed("listPushRequests", () => this.store.listPushRequests(approverId, now));
  }

  hit(key: string, windowMs: number, now: number, by?: number): Promise<CounterState> {
    return this.#timed("hit", () => this.store.hit(key, windowMs, now, by));
  }

  peekCounter(key: string, now: number): Promise<CounterState | null> {
    return this.#timed("peekCounter", () => this.store.peekCounter(key, now));
  }

  appendAudit(entry: AuditEntry): Promise<void> {
    return this.#timed("appendAudit", () => this.store.appendAudit(entry));
  }

  listAudit(userId: string, limit: number): Promise<AuditEntry[]> {
    return this.#timed("listAudit", () => this.store.listAudit(userId, limit));
  }

  appendAlert(alert: Alert): Promise<void> {
    return this.#timed("appendAlert", () => this.store.appendAlert(alert));
  }

  listAlerts(userId: string, limit: number): Promise<Alert[]> {
    return this.#timed("listAlerts", () => this.store.listAlerts(userId, limit));
  }

  purge(before: number): Promise<number> {
    return this.#timed("purge", () => this.store.purge(before));
  }

  /** Not timed: it happens once, at shutdown. */
  close(): Promise<void> {
    return this.store.close();
  }
}
