/**
 * `HTMLElement` where there is one, else a bare class: a framework that renders on the server first
 * (Next.js, Remix…) imports the element's module there too, and it must load without a DOM.
 */
export const HTMLElementBase: typeof HTMLElement =
  typeof HTMLElement === "undefined" ? (class {} as unknown as typeof HTMLElement) : HTMLElement;
