import type { RequestMode } from "../core/login-request.ts";
import type { FlowStep } from "../service/login-flows.ts";
import type { MetricsRecorder, StoreOperation, StreamKind } from "./metrics-recorder.ts";
import type { PromMetrics } from "./prom-metrics.ts";

/**
 * A prom-client `Registry`, by the part of it qrlogin uses, so that this package's types do not need
 * prom-client installed.
 */
export interface MetricsRegistry {
  readonly contentType: string;
  metrics(): Promise<string>;
  registerMetric(metric: never): void;
}

/** What `qr.metrics()` answers: the body of a `/metrics` page, and its `Content-Type`. */
export interface MetricsPage {
  contentType: string;
  body: string;
}

/** Why metrics cannot be had: prom-client is an optional peer dependency the host has to install. */
const MISSING =
  "qrlogin: `metrics` needs the prom-client package (an optional peer dependency): npm install prom-client";

/**
 * The module of prom-client's metrics, imported once for every instance: instances sharing a registry
 * then register in the order they were created (separate imports may settle in any order under load).
 */
let promMetricsModule: Promise<typeof import("./prom-metrics.ts")> | undefined;

/** prom-client's metrics, loaded on first use; an error naming the package when it is not installed. */
async function loadPromMetrics(registry: MetricsRegistry | undefined): Promise<PromMetrics> {
  promMetricsModule ??= import("./prom-metrics.ts");
  const loaded = await promMetricsModule.catch((error: NodeJS.ErrnoException) => {
    if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("prom-client")) {
      throw new Error(MISSING, { cause: error });
    }
    throw error;
  });
  return new loaded.PromMetrics(registry as ConstructorParameters<typeof loaded.PromMetrics>[0]);
}

/**
 * The metrics of one qrlogin instance. prom-client loads in the background, so `createQrLogin` stays
 * synchronous; what happens meanwhile is recorded once it has loaded.
 */
export class Metrics implements MetricsRecorder {
  readonly #ready: Promise<PromMetrics>;
  #loaded: PromMetrics | null = null;
  #waiting: ((metrics: PromMetrics) => void)[] | null = [];

  /** Starts loading prom-client; `onError` hears once if it cannot be loaded. */
  constructor(registry: MetricsRegistry | undefined, onError: (error: unknown) => void) {
    this.#ready = loadPromMetrics(registry);
    this.#ready.then(
      (metrics) => {
        this.#loaded = metrics;
        for (const record of this.#waiting ?? []) record(metrics);
        this.#waiting = null;
      },
      (error: unknown) => {
        this.#waiting = null;
        onError(error);
      },
    );
  }

  /** The text exposition of every metric in the registry, for the host's `/metrics`. */
  async page(): Promise<MetricsPage> {
    const { registry } = await this.#ready;
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  #record(record: (metrics: PromMetrics) => void): void {
    if (this.#loaded) record(this.#loaded);
    else this.#waiting?.push(record);
  }

  step(type: FlowStep["type"], mode: RequestMode): void {
    this.#record((m) => m.step(type, mode));
  }

  approvalToRedemption(mode: RequestMode, seconds: number): void {
    this.#record((m) => m.approvalToRedemption(mode, seconds));
  }

  overLimit(limit: string): void {
    this.#record((m) => m.overLimit(limit));
  }

  streams(kind: StreamKind, change: 1 | -1): void {
    this.#record((m) => m.streams(kind, change));
  }

  storeOperation(operation: StoreOperation, seconds: number, failed: boolean): void {
    this.#record((m) => m.storeOperation(operation, seconds, failed));
  }
}
