import { cookies } from "next/headers";
import { SESSION_COOKIE, userOf } from "@/lib/sessions";
import { SignIn } from "./sign-in";

export const dynamic = "force-dynamic";

export default async function Home() {
  const user = userOf((await cookies()).get(SESSION_COOKIE)?.value);
  return (
    <main>
      {user ? (
        <p>
          Signed in as <strong id="user">{user}</strong>
        </p>
      ) : (
        <SignIn />
      )}
    </main>
  );
}
