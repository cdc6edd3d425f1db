// Peer: node-oidc-provider 8.8.1 with its device flow (RFC 8628), served by node:http.
// Usage: node oidc-provider.mjs. Prints `{ ready, port, pid }`.
// The phone is "signed in" as the user named in the x-bench-user header: the interaction endpoint
// below finishes login and consent for that user at once, the cheapest way the phone can approve.
import { createServer } from "node:http";
import Provider from "oidc-provider";

const USER_HEADER = "x-bench-user";
const CLIENT_ID = "bench-device";

/**
 * An unbounded in-memory adapter: the provider's own development store keeps only the latest
 * 1,000 entries, which would drop the codes of 10,000 waiting devices. Expiry is checked on read.
 */
class MapAdapter {
  static rows = new Map();
  static byUserCode = new Map();
  static byUid = new Map();
  static byGrant = new Map();

  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    const until = expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
    MapAdapter.rows.set(key, { payload, until });
    if (payload.userCode) MapAdapter.byUserCode.set(payload.userCode, id);
    if (payload.uid) MapAdapter.byUid.set(payload.uid, id);
    if (payload.grantId) {
      const keys = MapAdapter.byGrant.get(payload.grantId) ?? new Set();
      keys.add(key);
      MapAdapter.byGrant.set(payload.grantId, keys);
    }
  }

  async find(id) {
    const row = MapAdapter.rows.get(this.key(id));
    if (!row) return undefined;
    if (row.until <= Date.now()) {
      MapAdapter.rows.delete(this.key(id));
      return undefined;
    }
    return row.payload;
  }

  async findByUserCode(userCode) {
    const id = MapAdapter.byUserCode.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUid(uid) {
    const id = MapAdapter.byUid.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const row = MapAdapter.rows.get(this.key(id));
    if (row) row.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    MapAdapter.rows.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const key of MapAdapter.byGrant.get(grantId) ?? []) MapAdapter.rows.delete(key);
    MapAdapter.byGrant.delete(grantId);
  }
}

const server = createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address();

const provider = new Provider(`http://127.0.0.1:${port}`, {
  adapter: MapAdapter,
  clients: [
    {
      client_id: CLIENT_ID,
      application_type: "native",
      token_endpoint_auth_method: "none",
      grant_types: ["urn:ietf:params:oauth:grant-type:device_code"],
      response_types: [],
      redirect_uris: [],
    },
  ],
  cookies: { keys: ["bench-cookie-key-0123456789abcdef"] },
  features: { deviceFlow: { enabled: true }, devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  // The device flow's own lifetime: long enough for every waiting device of a run.
  ttl: { DeviceCode: 30 * 60 },
});
provider.on("server_error", (_ctx, error) => console.error("oidc-provider server_error", error));
const callback = provider.callback();

/** Login and consent in one step, for the already signed-in phone user. */
async function interaction(req, res) {
  const user = req.headers[USER_HEADER];
  if (typeof user !== "string" || user === "") {
    res.writeHead(401).end();
    return;
  }
  const details = await provider.interactionDetails(req, res);
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: user, clientId: details.params.client_id });
  grant.addOIDCScope("openid");
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: user }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

server.requestTimeout = 0;
server.keepAliveTimeout = 60_000;
server.on("request", (req, res) => {
  if (req.url?.startsWith("/interaction/")) {
    interaction(req, res).catch((error) => {
      console.error("interaction failed", error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    return;
  }
  callback(req, res);
});
process.stdout.write(`${JSON.stringify({ ready: true, port, pid: process.pid })}\n`);
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
