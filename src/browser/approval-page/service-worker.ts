// The approval page's service worker: makes the page installable and open offline. It answers
// only for the page and its assets; API calls are never intercepted, so no answer of the API is cached.

interface FetchEventLike extends Event {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface WorkerScope {
  registration: { scope: string };
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEventLike) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEventLike) => void): void;
}

const worker = self as unknown as WorkerScope;
const CACHE = "qrlogin-approval-page";
const scope = new URL(worker.registration.scope).pathname;
const isShell = (path: string) => path === `${scope}a` || path.startsWith(`${scope}assets/`);

worker.addEventListener("install", (event) => event.waitUntil(worker.skipWaiting()));
worker.addEventListener("activate", (event) => event.waitUntil(worker.clients.claim()));
worker.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || !isShell(url.pathname)) return;
  // Network first, so a fresh page (and sign-in state) wins whenever the server is reachable.
  event.respondWith(
    fetch(event.request).then(
      async (response) => {
        if (response.ok) await (await caches.open(CACHE)).put(url.pathname, response.clone());
        return response;
      },
      async () => (await caches.match(url.pathname)) ?? Response.error(),
    ),
  );
});
