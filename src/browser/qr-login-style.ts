/**
 * The element's shadow styles. Every colour and size is a custom property (`--qr-login-*`) with a
 * light and a dark default; the QR tile itself stays dark-on-white, which is what cameras read best.
 * Only logical properties (inline/block, start/end), so a right-to-left language mirrors the layout.
 */
export const QR_LOGIN_STYLE = `
:host {
  --_fg: var(--qr-login-color, #1c2024);
  --_muted: var(--qr-login-muted-color, #5b636b);
  --_bg: var(--qr-login-background, #ffffff);
  --_border: var(--qr-login-border-color, #d5d9de);
  --_accent: var(--qr-login-accent-color, #0b57d0);
  --_accent-fg: var(--qr-login-accent-text-color, #ffffff);
  --_danger: var(--qr-login-danger-color, #b3261e);
  --_size: var(--qr-login-size, 15rem);
  --_radius: var(--qr-login-radius, 0.75rem);
  display: block;
  color: var(--_fg);
  font: var(--qr-login-font, inherit);
}
@media (prefers-color-scheme: dark) {
  :host {
    --_fg: var(--qr-login-color, #e8eaed);
    --_muted: var(--qr-login-muted-color, #a8b0b8);
    --_bg: var(--qr-login-background, #1e2227);
    --_border: var(--qr-login-border-color, #3a4048);
    --_accent: var(--qr-login-accent-color, #8ab4f8);
    --_accent-fg: var(--qr-login-accent-text-color, #0b1d3a);
    --_danger: var(--qr-login-danger-color, #f2b8b5);
  }
}
.frame {
  display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: center;
  background: var(--_bg); border: 1px solid var(--_border); border-radius: var(--_radius); padding: 1.5rem;
}
.qr {
  position: relative; flex: none; width: var(--_size); height: var(--_size); padding: 0.5rem;
  background: #fff; border-radius: calc(var(--_radius) / 2); box-sizing: border-box;
}
.qr svg { display: block; width: 100%; height: 100%; }
.qr svg path { fill: #000; }
.qr.faded svg { opacity: 0.12; filter: blur(2px); }
.qr.empty::after {
  content: ""; position: absolute; inset: 30%; border-radius: 50%;
  border: 0.35rem solid #d5d9de; border-top-color: var(--_accent); animation: spin 0.9s linear infinite;
}
@keyframes spin { to { transform: rotate(1turn); } }
@media (prefers-reduced-motion: reduce) { .qr.empty::after { animation: none; } }
.side { flex: 1 1 14rem; min-width: 0; }
.logo { display: block; max-height: 2.5rem; max-width: 100%; margin-block-end: 0.75rem; }
.status { font-size: 1.25rem; font-weight: 650; margin: 0 0 0.5rem; }
.status.problem { color: var(--_danger); }
.hint { color: var(--_muted); margin: 0 0 1rem; }
.comparison { margin: 0 0 1rem; font-size: 1.25rem; font-weight: 600; }
.comparison .number {
  display: inline-block; vertical-align: middle; margin: 0 0.15em;
  font: 800 3.5rem/1.1 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  letter-spacing: 0.06em; color: var(--_fg); font-variant-numeric: tabular-nums;
}
.typed { margin: 0 0 1rem; }
.show-code { background: none; color: var(--_accent); padding: 0; margin: 0 0 1rem; text-decoration: underline; }
.typed p { margin: 0; color: var(--_muted); }
.typed strong { color: var(--_fg); overflow-wrap: anywhere; }
.typed .code {
  font: 700 1.75rem/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; letter-spacing: 0.12em;
  color: var(--_fg); margin-top: 0.25rem; user-select: all;
}
button {
  font: inherit; font-weight: 600; cursor: pointer; padding: 0.6rem 1.1rem; border-radius: 0.5rem;
  border: 0; background: var(--_accent); color: var(--_accent-fg);
}
button:focus-visible { outline: 3px solid var(--_accent); outline-offset: 3px; }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; }
.actions .cancel { background: none; color: var(--_danger); padding: 0.6rem 0; text-decoration: underline; }
.actions .passkey { background: none; color: var(--_accent); box-shadow: inset 0 0 0 1px var(--_accent); }
[hidden] { display: none; }
`;
