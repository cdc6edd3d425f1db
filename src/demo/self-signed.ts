import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A self-signed certificate for `hosts` (names or IPs), made once with `openssl` and kept under
 * `dir`: enough for a phone on the LAN to open the demo over HTTPS, where its camera is allowed.
 * Throws with a clear message when `openssl` is missing.
 * @example const tls = selfSignedCertificate("./data/tls", ["localhost", "192.168.1.5"]);
 */
export function selfSignedCertificate(dir: string, hosts: string[]): { key: string; cert: string } {
  const tag = hosts.join(",").replace(/[^A-Za-z0-9.,-]/g, "_");
  const keyFile = join(dir, `${tag}.key`);
  const certFile = join(dir, `${tag}.crt`);
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    mkdirSync(dir, { recursive: true });
    const names = hosts.map((host) => (/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`)).join(",");
    try {
      execFileSync(
        "openssl",
        [
          ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30"],
          ...["-subj", "/CN=qrlogin demo", "-addext", `subjectAltName=${names}`, "-keyout", keyFile, "-out", certFile],
        ],
        { stdio: "ignore" },
      );
    } catch (error) {
      throw new Error("--https needs `openssl` on the PATH to make a self-signed certificate", { cause: error });
    }
  }
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8") };
}
