import type { IncomingRequest } from "../http/incoming.ts";
import { type StreamLimits, type StreamOwner, StreamSlots } from "../http/stream-slots.ts";
import type { StreamKind } from "./metrics-recorder.ts";

/**
 * The stream slots, telling `onChange` of each stream or long-poll that opens and, once, of its
 * closing: on release or when its client goes away, whichever comes first, as the slot itself.
 */
export class CountedStreamSlots extends StreamSlots {
  constructor(
    limits: StreamLimits,
    private readonly onChange: (kind: StreamKind, change: 1 | -1) => void,
  ) {
    super(limits);
  }

  override take(incoming: IncomingRequest, owner: StreamOwner): () => void {
    const release = super.take(incoming, owner);
    const kind: StreamKind = "request" in owner ? "desktop" : "approver";
    this.onChange(kind, 1);
    let open = true;
    const closed = () => {
      if (!open) return;
      open = false;
      this.onChange(kind, -1);
    };
    if (incoming.signal.aborted) closed();
    else incoming.signal.addEventListener("abort", closed, { once: true });
    return () => {
      release();
      closed();
    };
  }
}
