// A host without @simplewebauthn/server: its resolution fails in this process, as it would where the
// optional peer dependency is not installed. Prints what the server answered and logged, as JSON.
import { register } from "node:module";

register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      if (specifier === "@simplewebauthn/server") {
        throw Object.assign(new Error("Cannot find package '@simplewebauthn/server'"), { code: "ERR_MODULE_NOT_FOUND" });
      }
      return next(specifier, context);
    }`)}`,
);

const { Desktop, Phone } = await import("../helpers/clients.ts");
const { startServer } = await import("../helpers/server.ts");
const { SoftwarePasskey } = await import("../helpers/software-passkey.ts");

const passkey = new SoftwarePasskey("alice");
const server = await startServer({
  approval: { userVerification: "preferred", credentials: () => [passkey.credential()] },
});
const logged: string[] = [];
const errors = server.errors;
try {
  const phone = new Phone(server.url, "alice");
  const first = new Desktop(server.url);
  await first.create();
  await phone.scan(first.scanToken);
  const withoutPasskey = await phone.approve(first.id);
  const second = new Desktop(server.url);
  await second.create();
  await phone.scan(second.scanToken);
  const options = await phone.get(`/requests/${second.id}/approval-options`);
  const publicKey = options.body.publicKey as { challenge: string; rpId: string };
  const withPasskey = await phone.post(`/requests/${second.id}/approve`, {
    assertion: passkey.assert(publicKey, server.url),
  });
  for (const error of errors) logged.push(String((error as Error)?.message));
  console.log(
    JSON.stringify({
      withoutPasskey: withoutPasskey.status,
      withPasskey: [withPasskey.status, withPasskey.body.error],
      after: (await second.request("")).body.status,
      logged,
    }),
  );
} finally {
  await server.close();
}
