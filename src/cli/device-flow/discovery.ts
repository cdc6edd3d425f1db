import { CliError } from "../exit-codes.ts";
import { getJson, type HttpOptions } from "./http.ts";

/** Where to ask for a device code and where to poll for the token, and how they were found. */
export interface Endpoints {
  deviceAuthorization: string;
  token: string;
  /** For `--verbose`: the metadata document, qrlogin's paths, or the command line. */
  source: string;
}

/** What the command line says: the server, and either endpoint given outright. */
export interface EndpointHints {
  server?: string;
  deviceAuthorizationEndpoint?: string;
  tokenEndpoint?: string;
}

/**
 * The metadata documents to try for `server`, in order: RFC 8414 (the well-known segment goes
 * between the host and any path), then OpenID Connect Discovery (appended to the path), which
 * providers such as node-oidc-provider serve instead.
 * @example metadataUrls(new URL("https://id.example/tenant")) // [".../.well-known/oauth-authorization-server/tenant", ".../tenant/.well-known/openid-configuration"]
 */
export function metadataUrls(server: URL): string[] {
  const path = server.pathname.replace(/\/+$/, "");
  return [
    `${server.origin}/.well-known/oauth-authorization-server${path}`,
    `${server.origin}${path}/.well-known/openid-configuration`,
  ];
}

/**
 * qrlogin's own endpoints under `server` (its API is served under `/qrlogin`).
 * @example qrloginEndpoints(new URL("http://127.0.0.1:3000")).token // "http://127.0.0.1:3000/qrlogin/oauth/token"
 */
export function qrloginEndpoints(server: URL): { deviceAuthorization: string; token: string } {
  const base = `${server.origin}${server.pathname.replace(/\/+$/, "")}/qrlogin/oauth`;
  return { deviceAuthorization: `${base}/device_authorization`, token: `${base}/token` };
}

/**
 * Finds the two endpoints: those given on the command line win; the rest come from the server's
 * metadata when it publishes a device authorization endpoint, else from qrlogin's paths. An
 * unreachable server fails here, with its address, rather than at the first real call.
 */
export async function findEndpoints(hints: EndpointHints, http: HttpOptions): Promise<Endpoints> {
  const given = {
    deviceAuthorization: hints.deviceAuthorizationEndpoint && absolute(hints.deviceAuthorizationEndpoint, hints.server),
    token: hints.tokenEndpoint && absolute(hints.tokenEndpoint, hints.server),
  };
  if (given.deviceAuthorization && given.token) {
    return { deviceAuthorization: given.deviceAuthorization, token: given.token, source: "the command line" };
  }
  if (!hints.server) {
    throw new CliError(
      "Name the server (qrlogin login <url>), or give both --device-authorization-endpoint and --token-endpoint.",
    );
  }
  const server = httpUrl(hints.server, "the server URL");
  let found: { deviceAuthorization: string; token: string } | undefined;
  let source = "qrlogin's paths, as no server metadata was found";
  for (const url of metadataUrls(server)) {
    const answer = await getJson(url, http);
    const endpoints = answer.status === 200 ? endpointsIn(answer.body) : undefined;
    if (endpoints) {
      found = endpoints;
      source = url;
      break;
    }
  }
  const chosen = found ?? qrloginEndpoints(server);
  return {
    deviceAuthorization: given.deviceAuthorization || chosen.deviceAuthorization,
    token: given.token || chosen.token,
    source,
  };
}

/** The endpoints a metadata document names, when it names both as web addresses. */
function endpointsIn(
  metadata: Record<string, unknown> | null,
): { deviceAuthorization: string; token: string } | undefined {
  const deviceAuthorization = metadata?.device_authorization_endpoint;
  const token = metadata?.token_endpoint;
  if (typeof deviceAuthorization !== "string" || typeof token !== "string") return undefined;
  try {
    return {
      deviceAuthorization: httpUrl(deviceAuthorization, "device_authorization_endpoint").href,
      token: httpUrl(token, "token_endpoint").href,
    };
  } catch {
    return undefined;
  }
}

/** An endpoint as given: absolute, or relative to the server when one was named. */
function absolute(endpoint: string, server: string | undefined): string {
  try {
    return httpUrl(new URL(endpoint, server ? httpUrl(server, "the server URL") : undefined).href, endpoint).href;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${endpoint} is not a URL (and there is no server URL to read it against).`);
  }
}

/** Parses an http(s) URL, or fails naming `what`. */
function httpUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`${what} is not a URL: ${text}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CliError(`${what} must be an http:// or https:// URL: ${text}`);
  }
  return url;
}
