// Peer: better-auth with its device-authorization plugin (RFC 8628) on SQLite, served by node:http.
// Usage: node better-auth.mjs <interval e.g. 5s|1s> <sqlite file>. Prints `{ ready, port, pid }`.
// better-sqlite3 resolves to qrlogin's own copy (the bench package sits inside the repository).
import { createServer } from "node:http";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { deviceAuthorization } from "better-auth/plugins";
import Database from "better-sqlite3";

const interval = process.argv[2] ?? "5s";
const filename = process.argv[3] ?? ":memory:";

const server = createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address();
const baseURL = `http://127.0.0.1:${port}`;

const database = new Database(filename);
database.pragma("journal_mode = WAL");
database.pragma("synchronous = NORMAL");

const options = {
  baseURL,
  secret: "bench-secret-bench-secret-bench-secret-0123456789",
  database,
  trustedOrigins: [baseURL],
  emailAndPassword: { enabled: true },
  // The plugin otherwise allows 5 /device calls per 30 min; the benchmark makes thousands.
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { disabled: true },
  plugins: [deviceAuthorization({ interval, expiresIn: "30m" })],
};
const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);

server.requestTimeout = 0;
server.keepAliveTimeout = 60_000;
server.on("request", toNodeHandler(auth));
process.stdout.write(`${JSON.stringify({ ready: true, port, pid: process.pid })}\n`);
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
