"use client";

// The element defines itself in the browser; on the server, importing it defines nothing.
import "qrlogin/element";
import type {} from "qrlogin/jsx";

/** The desktop's sign-in: a QR to scan with a phone that is signed in, or a code to type on it. */
export function SignIn() {
  return (
    <section>
      <h1>Sign in</h1>
      <p>
        Scan the code with your phone's camera, where you are signed in (or sign in at <a href="/phone">/phone</a>).
      </p>
      <qr-login redirect="/" />
    </section>
  );
}
