import { startSession } from "@/lib/sessions";

/**
 * A stand-in for the app's own sign-in, where the phone signs in before it can approve: any name
 * will do here. Then back to the phone's approval page.
 */
export async function POST(request: Request): Promise<Response> {
  const name = String((await request.formData()).get("name") ?? "").trim();
  if (!name) return new Response("Give a name.", { status: 400 });
  return new Response(null, {
    status: 303,
    headers: { location: "/qrlogin/a", "set-cookie": startSession(name) },
  });
}
