// Loaded only by `import()` from metrics.ts, so that hosts without metrics never load prom-client.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RequestMode } from "../core/login-request.ts";
import type { FlowStep } from "../service/login-flows.ts";
import { DEFAULT_LIMITS } from "../service/rate-limits.ts";
import {
  METRIC_NAMES,
  type MetricsRecorder,
  STEP_TYPES,
  STORE_OPERATIONS,
  type StoreOperation,
  type StreamKind,
} from "./metrics-recorder.ts";

const MODES: readonly RequestMode[] = ["qr", "push", "device"];

/** From a millisecond to half a minute: a redemption waits for the desktop's stream, or a device's poll. */
const APPROVAL_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** From 0.1 ms (SQLite, memory) to a second (a struggling network store). */
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** qrlogin's metrics as prom-client objects, registered in one registry. */
export class PromMetrics implements MetricsRecorder {
  readonly #steps: Counter<"event" | "mode">;
  readonly #approvalToRedemption: Histogram<"mode">;
  readonly #overLimit: Counter<"limit">;
  readonly #streams: Gauge<"kind">;
  readonly #storeSeconds: Histogram<"operation">;
  readonly #storeErrors: Counter<"operation">;

  /** Registers the metrics in `registry`; a registry that has them already refuses (one qrlogin per registry). */
  constructor(readonly registry: Registry = new Registry()) {
    const registers = [registry];
    this.#steps = new Counter({
      name: METRIC_NAMES.steps,
      help: "Login request steps: created, scanned, approved, denied, redeemed, cancelled, expired, replayed.",
      labelNames: ["event", "mode"],
      registers,
    });
    this.#approvalToRedemption = new Histogram({
      name: METRIC_NAMES.approvalToRedemption,
      help: "Seconds from a stored approval to the desktop's redemption.",
      labelNames: ["mode"],
      buckets: APPROVAL_BUCKETS,
      registers,
    });
    this.#overLimit = new Counter({
      name: METRIC_NAMES.overLimit,
      help: "Events counted over a rate limit, by the limit's name (refused, or a decoy push, or guarded codes).",
      labelNames: ["limit"],
      registers,
    });
    this.#streams = new Gauge({
      name: METRIC_NAMES.streams,
      help: "Event streams and waiting long-polls open on this instance: a desktop's, or an approver's.",
      labelNames: ["kind"],
      registers,
    });
    this.#storeSeconds = new Histogram({
      name: METRIC_NAMES.storeSeconds,
      help: "Seconds each store operation took, failed ones included.",
      labelNames: ["operation"],
      buckets: STORE_BUCKETS,
      registers,
    });
    this.#storeErrors = new Counter({
      name: METRIC_NAMES.storeErrors,
      help: "Store operations that failed (a user code already taken is an answer, not a failure).",
      labelNames: ["operation"],
      registers,
    });
    // Every series is there from the start, so that a rate over it is 0 rather than missing.
    for (const event of STEP_TYPES) for (const mode of MODES) this.#steps.inc({ event, mode }, 0);
    for (const limit of Object.keys(DEFAULT_LIMITS)) this.#overLimit.inc({ limit }, 0);
    for (const kind of ["desktop", "approver"] satisfies StreamKind[]) this.#streams.set({ kind }, 0);
    for (const operation of STORE_OPERATIONS) this.#storeErrors.inc({ operation }, 0);
  }

  step(event: FlowStep["type"], mode: RequestMode): void {
    this.#steps.inc({ event, mode });
  }

  approvalToRedemption(mode: RequestMode, seconds: number): void {
    this.#approvalToRedemption.observe({ mode }, seconds);
  }

  overLimit(limit: string): void {
    this.#overLimit.inc({ limit });
  }

  streams(kind: StreamKind, change: 1 | -1): void {
    this.#streams.inc({ kind }, change);
  }

  storeOperation(operation: StoreOperation, seconds: number, failed: boolean): void {
    this.#storeSeconds.observe({ operation }, seconds);
    if (failed) this.#storeErrors.inc({ operation });
  }
}
