import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { BrowserContext, CDPSession, Page } from "playwright-core";
import type { PasskeyAssertion, PasskeyRequestOptions } from "../../../src/wire.ts";
import type { DemoSite } from "./browser.ts";

/** A Chromium virtual authenticator of one page's context, driven over the DevTools protocol. */
export interface VirtualAuthenticator {
  cdp: CDPSession;
  id: string;
  /** Whether the next ceremonies verify the user (fingerprint, face or PIN), as a real one would. */
  verifyUser(verified: boolean): Promise<void>;
  /** The credentials it holds, private keys included (what the protocol gives). */
  credentials(): Promise<Credential[]>;
  /** Puts a credential in, e.g. one copied from another authenticator, replacing one of the same id. */
  add(credential: Credential): Promise<void>;
  /** Takes a credential out (base64 id, as the protocol gives it). */
  remove(credentialId: string): Promise<void>;
}

/** A credential as the DevTools protocol's WebAuthn domain describes it (base64, not base64url). */
export interface Credential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

/**
 * Adds a virtual authenticator with user verification to `page`'s context: `internal` plays the
 * phone's own platform authenticator, `hybrid` the phone reached from a desktop over the
 * cross-device flow. WebAuthn needs a secure context: open the site on `localhost`, not an IP.
 */
export async function virtualAuthenticator(
  context: BrowserContext,
  page: Page,
  transport: "internal" | "hybrid",
): Promise<VirtualAuthenticator> {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable", {});
  const { authenticatorId: id } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport,
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    cdp,
    id,
    verifyUser: async (isUserVerified) => {
      await cdp.send("WebAuthn.setUserVerified", { authenticatorId: id, isUserVerified });
    },
    credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId: id })).credentials,
    add: async (credential) => {
      const { credentialId } = credential;
      await cdp.send("WebAuthn.removeCredential", { authenticatorId: id, credentialId }).catch(() => {});
      await cdp.send("WebAuthn.addCredential", { authenticatorId: id, credential });
    },
    remove: async (credentialId) => {
      await cdp.send("WebAuthn.removeCredential", { authenticatorId: id, credentialId });
    },
  };
}

/** A passkey for `localhost` that no site ever registered: its assertions name a credential nobody knows. */
export function strayCredential(): Credential {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    credentialId: randomBytes(16).toString("base64"),
    isResidentCredential: true,
    rpId: "localhost",
    privateKey: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
    userHandle: Buffer.from("stranger").toString("base64"),
    signCount: 0,
  };
}

/** The demo site's address on `localhost`, where WebAuthn works (it does not on a bare IP). */
export function onLocalhost(site: DemoSite): string {
  return site.url.replace("127.0.0.1", "localhost");
}

/** Creates an account on the phone with a passkey of its virtual authenticator, through the demo's page. */
export async function signUpWithPasskey(phone: Page, url: string, email: string): Promise<void> {
  await phone.goto(`${url}/phone`);
  await phone.getByLabel("E-mail").first().fill(email);
  await phone.getByRole("button", { name: "Create with a passkey" }).click();
  await phone.getByText("You're signed in on this phone").waitFor();
}

/**
 * The page side of {@link assertIn}, as source text: the test runner's transform would otherwise
 * add helpers to it that the page does not have.
 */
const ASSERT_IN_PAGE = `async ({ options, change }) => {
  const bytes = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const text = (buffer) =>
    buffer ? btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "") : null;
  const allow = change.credentialId ? [{ id: change.credentialId }] : options.allowCredentials;
  const credential = await navigator.credentials.get({
    publicKey: {
      challenge: bytes(change.challenge ?? options.challenge),
      rpId: options.rpId,
      userVerification: change.userVerification ?? options.userVerification,
      allowCredentials: allow.map((c) => ({ id: bytes(c.id), type: "public-key" })),
    },
  });
  const response = credential.response;
  return {
    id: credential.id,
    rawId: credential.id,
    type: "public-key",
    response: {
      clientDataJSON: text(response.clientDataJSON),
      authenticatorData: text(response.authenticatorData),
      signature: text(response.signature),
      userHandle: text(response.userHandle),
    },
    clientExtensionResults: {},
  };
}`;

/**
 * Has `page`'s authenticator answer `options` through `navigator.credentials.get`, as a page would,
 * with the given changes (another challenge, no user verification asked, a given credential).
 */
export function assertIn(
  page: Page,
  options: PasskeyRequestOptions,
  change: { challenge?: string; userVerification?: "discouraged"; credentialId?: string } = {},
): Promise<PasskeyAssertion> {
  return page.evaluate(`(${ASSERT_IN_PAGE})(${JSON.stringify({ options, change })})`) as Promise<PasskeyAssertion>;
}

/** Makes `getClientCapabilities()` report the cross-device (hybrid) transport, which headless Chromium does not. */
export async function reportHybrid(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const api = PublicKeyCredential as unknown as { getClientCapabilities: () => Promise<Record<string, boolean>> };
    const real = api.getClientCapabilities.bind(PublicKeyCredential);
    api.getClientCapabilities = async () => ({ ...(await real()), hybridTransport: true });
  });
}
