import { readFileSync } from "node:fs";
import { z } from "zod";
import { bodies } from "./bodies.ts";
import { answers } from "./openapi-answers.ts";

/** The JSON bodies the routes read, each named as it is in the document. */
const BODIES = {
  CreateRequestBody: bodies.createRequest,
  RedeemBody: bodies.redeem,
  ScanBody: bodies.scan,
  ApproveBody: bodies.approve,
  PasskeySignInBody: bodies.passkeySignIn,
  DenyBody: bodies.deny,
  DeviceAuthorizationBody: bodies.deviceAuthorization,
  DeviceTokenBody: bodies.deviceToken,
};

type BodyName = keyof typeof BODIES;
type AnswerName = keyof typeof answers;

/** What the document says of one route of the table, beyond its method and path. */
interface Operation {
  operationId: string;
  tag: "desktop" | "phone" | "device" | "document";
  summary: string;
  /** Who may call: the desktop holding the request's browser secret, or a phone the host signed in. */
  caller?: "browser" | "approver";
  body?: BodyName;
  /** RFC 8628's endpoints take forms. */
  form?: true;
  query?: Record<string, { schema: object; description: string }>;
  answer:
    | { status: number; json: AnswerName; description: string; setsCookie?: true }
    | { status: 200; events: AnswerName; description: string }
    | { status: 200; document: true; description: string };
}

/** Every route of the table in routes.ts, by `METHOD path`: one missing, or one too many, fails the build of the document. */
const OPERATIONS: Record<string, Operation> = {
  "POST /requests": {
    operationId: "createRequest",
    tag: "desktop",
    summary: "Create a sign-in request: a QR and typed code to show, or a push to an account's phones.",
    body: "CreateRequestBody",
    answer: {
      status: 201,
      json: "Created",
      setsCookie: true,
      description: "The request; its browser secret is set as the cookie `qrlogin-<id>`.",
    },
  },
  "GET /requests/:id": {
    operationId: "getRequest",
    tag: "desktop",
    summary: "The request's state, at once or after waiting for a change (long-poll).",
    caller: "browser",
    query: {
      wait: {
        schema: { type: "number", minimum: 0 },
        description: "Seconds to wait for a change (at most maxWaitMs).",
      },
      version: {
        schema: { type: "integer" },
        description: "The version the desktop has; a different one answers at once.",
      },
    },
    answer: { status: 200, json: "RequestSnapshot", description: "The request's state." },
  },
  "GET /requests/:id/events": {
    operationId: "requestEvents",
    tag: "desktop",
    summary: "Server-Sent Events of the request: its scan, decision and end (nothing but heartbeats while it waits).",
    caller: "browser",
    answer: {
      status: 200,
      events: "RequestEvents",
      description: "An event stream; each event's id is the request's version, and `x-events` names each one's data.",
    },
  },
  "POST /requests/:id/user-code": {
    operationId: "showUserCode",
    tag: "desktop",
    summary: "A code to type on the phone instead of scanning; a new one each time (at most one a second).",
    caller: "browser",
    answer: { status: 200, json: "UserCodeShown", description: "The code, how long it works and where to type it." },
  },
  "POST /requests/:id/redeem": {
    operationId: "redeemRequest",
    tag: "desktop",
    summary: "Redeem the approval: the host's issueSession signs the desktop in, once.",
    caller: "browser",
    body: "RedeemBody",
    answer: { status: 200, json: "Redeemed", setsCookie: true, description: "Signed in, with the host's cookies." },
  },
  "DELETE /requests/:id": {
    operationId: "cancelRequest",
    tag: "desktop",
    summary: "Cancel a live request.",
    caller: "browser",
    answer: { status: 200, json: "Decision", description: "The request, cancelled." },
  },
  "POST /scan": {
    operationId: "scan",
    tag: "phone",
    summary: "Claim a request by its scanned token or typed code, and get the card to show before asking.",
    caller: "approver",
    body: "ScanBody",
    answer: { status: 200, json: "RequestCard", description: "The request's card." },
  },
  "POST /requests/:id/approve": {
    operationId: "approveRequest",
    tag: "phone",
    summary: "Approve a scanned request (with the number shown on the desktop when the card asks for it).",
    caller: "approver",
    body: "ApproveBody",
    answer: { status: 200, json: "Decision", description: "The request, approved." },
  },
  "POST /requests/:id/deny": {
    operationId: "denyRequest",
    tag: "phone",
    summary: "Refuse a scanned request; `not_me` also raises an alert.",
    caller: "approver",
    body: "DenyBody",
    answer: { status: 200, json: "Decision", description: "The request, denied." },
  },
  "GET /requests/:id/approval-options": {
    operationId: "approvalOptions",
    tag: "phone",
    summary:
      "The WebAuthn options for approving with this phone's passkey: a challenge bound to the request, its version, its card and the desktop's browser key (on with approval.credentials).",
    caller: "approver",
    answer: {
      status: 200,
      json: "PasskeyChallenge",
      description: "The options to give the passkey, and what the challenge stands for.",
    },
  },
  "GET /requests/:id/passkey-options": {
    operationId: "passkeySignInOptions",
    tag: "desktop",
    summary:
      "The WebAuthn options for signing in to a `passkey` request with a passkey, over the browser's cross-device flow (on with approval.credentials).",
    caller: "browser",
    answer: {
      status: 200,
      json: "PasskeyChallenge",
      description: "The options to give the browser's passkey dialog, and what the challenge stands for.",
    },
  },
  "POST /requests/:id/passkey": {
    operationId: "passkeySignIn",
    tag: "desktop",
    summary:
      "Approve the desktop's own `passkey` request with a passkey assertion; the desktop then redeems it as usual (on with approval.credentials).",
    caller: "browser",
    body: "PasskeySignInBody",
    answer: { status: 200, json: "Decision", description: "The request, approved." },
  },
  "GET /approver/requests": {
    operationId: "approverRequests",
    tag: "phone",
    summary: "The push requests waiting for the signed-in user.",
    caller: "approver",
    answer: { status: 200, json: "ApproverRequests", description: "Their cards." },
  },
  "GET /approver/events": {
    operationId: "approverEvents",
    tag: "phone",
    summary: "Server-Sent Events of the signed-in user: push requests, their resolution, alerts.",
    caller: "approver",
    answer: {
      status: 200,
      events: "ApproverEvents",
      description: "An event stream; `x-events` names each one's data.",
    },
  },
  "POST /oauth/device_authorization": {
    operationId: "deviceAuthorization",
    tag: "device",
    summary: "RFC 8628 §3.1: a new request for a device (on with the deviceFlow option).",
    body: "DeviceAuthorizationBody",
    form: true,
    answer: { status: 200, json: "DeviceAuthorization", description: "The device code and the code to type." },
  },
  "POST /oauth/token": {
    operationId: "deviceToken",
    tag: "device",
    summary: "RFC 8628 §3.4: the device-code grant; authorization_pending until the phone approves.",
    body: "DeviceTokenBody",
    form: true,
    answer: { status: 200, json: "DeviceToken", description: "The host's token, once." },
  },
  "GET /openapi.json": {
    operationId: "openApiDocument",
    tag: "document",
    summary: "This document.",
    answer: { status: 200, document: true, description: "The OpenAPI 3.1 document of this API." },
  },
};

/** Routes of the table that only answer when an option is on, and the option. */
const OPTIONAL_ROUTES: Record<string, "deviceFlow" | "passkeys"> = {
  "GET /requests/:id/approval-options": "passkeys",
  "GET /requests/:id/passkey-options": "passkeys",
  "POST /requests/:id/passkey": "passkeys",
  "POST /oauth/device_authorization": "deviceFlow",
  "POST /oauth/token": "deviceFlow",
};

const REF = (name: string) => `#/components/schemas/${name}`;

/** JSON Schemas of `schemas` with `$ref`s between them; bodies as they may come in, answers as they go out. */
function schemasOf(schemas: Record<string, z.ZodType>, io: "input" | "output"): Record<string, object> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: out } = z.toJSONSchema(registry, { uri: REF, io });
  // Within the document each is a component, not a JSON Schema document of its own.
  return Object.fromEntries(Object.entries(out).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema]));
}

const ERROR_ANSWER = {
  description: "An error: `{ error, error_description }`; switch on `error`. A 429 carries `Retry-After`, in seconds.",
  content: { "application/json": { schema: { $ref: REF("ErrorBody") } } },
};

/** The path item's operation for `operation`. */
function operationObject(operation: Operation, hasId: boolean): object {
  const { answer } = operation;
  const parameters: object[] = [];
  if (hasId) {
    parameters.push({
      name: "id",
      in: "path",
      required: true,
      description: "The request's id.",
      schema: { type: "string", pattern: "^[A-Za-z0-9_-]{22}$" },
    });
  }
  for (const [name, { schema, description }] of Object.entries(operation.query ?? {})) {
    parameters.push({ name, in: "query", required: false, description, schema });
  }
  let content: object;
  if ("json" in answer) content = { "application/json": { schema: { $ref: REF(answer.json) } } };
  else if ("events" in answer) {
    content = { "text/event-stream": { schema: { type: "string" }, "x-events": { $ref: REF(answer.events) } } };
  } else content = { "application/json": { schema: { type: "object" } } };
  const success: Record<string, unknown> = { description: answer.description, content };
  if ("setsCookie" in answer) {
    success.headers = {
      "Set-Cookie": { description: "The browser secret's cookie, set or cleared.", schema: { type: "string" } },
    };
  }
  const callers = {
    browser:
      "The desktop that made the request: its browser secret, as the cookie `POST /requests` set or a bearer token.",
    approver: "A phone signed in to the host, as the host's `authenticateApprover` reads it (401 otherwise).",
  };
  return {
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.caller ? { description: callers[operation.caller] } : {}),
    ...(operation.caller === "browser" ? { security: [{ browserSecret: [] }, {}] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: false,
            content: {
              [operation.form ? "application/x-www-form-urlencoded" : "application/json"]: {
                schema: { $ref: REF(operation.body) },
              },
            },
          },
        }
      : {}),
    responses: { [answer.status]: success, default: ERROR_ANSWER },
  };
}

/**
 * This package's version, from its package.json: two folders up from both `src/http` and `dist/http`.
 * Read when the document is first asked for, not when the routes load.
 */
function packageVersion(): string {
  const packageJson = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(packageJson) as { version: string }).version;
}

/** One route of the table: its method and its path under the base path (`:id` marks the request id). */
export type RouteShape = readonly [method: string, path: string, ...rest: unknown[]];

/**
 * The OpenAPI 3.1 document of the routes in `routes` (the table of routes.ts) served under `basePath`,
 * built from the zod schemas the routes read and answer with. Routes that only answer with an option
 * on are left out when it is off.
 * @throws Error when a route has no description here, or a description no route: the document cannot drift from the table.
 */
export function openApiDocument(
  routes: readonly RouteShape[],
  basePath: string,
  on: { deviceFlow: boolean; passkeys?: boolean },
): object {
  const keys = routes.map(([method, path]) => `${method} ${path}`);
  const undescribed = keys.filter((key) => !(key in OPERATIONS));
  const unrouted = Object.keys(OPERATIONS).filter((key) => !keys.includes(key));
  if (undescribed.length > 0 || unrouted.length > 0) {
    throw new Error(
      `openapi: routes without a description: [${undescribed}]; descriptions without a route: [${unrouted}]`,
    );
  }
  const paths: Record<string, Record<string, object>> = {};
  for (const key of keys) {
    const option = OPTIONAL_ROUTES[key];
    if (option && on[option] !== true) continue;
    const [method = "", path = ""] = key.split(" ");
    const openApiPath = path.replace(":id", "{id}");
    paths[openApiPath] ??= {};
    paths[openApiPath][method.toLowerCase()] = operationObject(OPERATIONS[key] as Operation, path.includes(":id"));
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "qrlogin",
      version: packageVersion(),
      description:
        "Cross-device sign-in: a desktop shows a QR (or a typed code, or a push number), a signed-in phone approves (with its passkey when the host asks), and the desktop redeems the approval; or the desktop signs in with the phone's passkey. The phone's approval page is served at `/a` under the same base path.",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: basePath }],
    tags: [
      { name: "desktop", description: "The requesting screen." },
      { name: "phone", description: "The approving phone, signed in to the host." },
      { name: "device", description: "RFC 8628 for CLIs and TVs." },
      { name: "document", description: "This description." },
    ],
    paths,
    components: {
      schemas: { ...schemasOf(BODIES, "input"), ...schemasOf(answers, "output") },
      securitySchemes: {
        browserSecret: {
          type: "http",
          scheme: "bearer",
          description:
            "The request's browser secret: browsers send the HttpOnly cookie `qrlogin-<id>` (`__Host-qrlogin-<id>` over HTTPS) set by `POST /requests`; other clients ask for it with `secretInBody` and send it as this bearer token.",
        },
      },
    },
  };
}
