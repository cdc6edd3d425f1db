// Run by metrics.test.ts: qrlogin with metrics on where prom-client cannot be found, as in an install
// without the optional peer dependency. Prints what qr.metrics() rejected with and what was logged.
import { register } from "node:module";
import { createQrLogin, MemoryStore } from "../../src/index.ts";

const hideProm = `export async function resolve(specifier, context, next) {
  if (specifier !== "prom-client") return next(specifier, context);
  throw Object.assign(new Error("Cannot find package 'prom-client' imported from " + context.parentURL), { code: "ERR_MODULE_NOT_FOUND" });
}`;
register(`data:text/javascript,${encodeURIComponent(hideProm)}`);

const logged: string[] = [];
const qr = createQrLogin({
  store: new MemoryStore(),
  authenticateApprover: () => null,
  issueSession: () => ({}),
  metrics: true,
  logger: { warn: () => {}, error: (message: string, error: unknown) => logged.push(`${message}: ${error}`) },
});
const rejected = await qr.metrics().then(
  () => "resolved",
  (error: Error) => error.message,
);
await qr.metrics().catch(() => {});
await qr.close();
console.log(JSON.stringify({ rejected, logged }));
