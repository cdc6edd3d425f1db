// The ceiling: a bare node:http server answering every request with 32 random bytes (as base64url
// JSON, like an id). Prints `{ ready, port, pid }` once it listens. Loopback only.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    const body = JSON.stringify({ id: randomBytes(32).toString("base64url") });
    res.writeHead(201, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: server.address().port, pid: process.pid })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
