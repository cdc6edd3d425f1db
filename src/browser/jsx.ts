/**
 * JSX typings for `<qr-login>` in React 19 (Next.js, Vite, Remix…): `import type {} from "qrlogin/jsx"`
 * once, where the element is rendered. Types only; the element itself is `qrlogin/element`.
 * @packageDocumentation
 */
import type { DetailedHTMLProps, HTMLAttributes } from "react";
import type { QrLoginElement, QrLoginStatus, SignedInDetail } from "./qr-login.ts";

/** `<qr-login>`'s attributes and events as JSX props; `QrLoginElement` says what each does. */
export interface QrLoginProps extends DetailedHTMLProps<HTMLAttributes<QrLoginElement>, QrLoginElement> {
  "base-path"?: string;
  redirect?: string;
  "no-browser-key"?: boolean;
  transport?: "sse" | "poll";
  login?: string;
  "confirm-account"?: boolean;
  /** The `signed-in` event (React 19 listens for `on<event name>` on custom elements); cancel it to stay on the page. */
  "onsigned-in"?: (event: CustomEvent<SignedInDetail>) => void;
  /** The `status-change` event. */
  "onstatus-change"?: (event: CustomEvent<{ status: QrLoginStatus }>) => void;
}

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "qr-login": QrLoginProps;
    }
  }
}
