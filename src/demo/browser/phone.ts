// The demo phone page: create an account or sign in, with a passkey or a password, then go on.
import { startAuthentication, startRegistration } from "@simplewebauthn/browser";

const message = document.getElementById("message") as HTMLElement;
const next = (document.querySelector("[data-next]") as HTMLElement).dataset.next ?? "/phone";

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw new Error(typeof answer.error === "string" ? answer.error : "Something went wrong.");
  return answer;
}

function say(text: string): void {
  message.textContent = text;
  message.hidden = text === "";
}

type Method = "passkey" | "password";

const flows: Record<string, Record<Method, (form: FormData) => Promise<unknown>>> = {
  signup: {
    passkey: async (form) => {
      const optionsJSON = await post("/demo/passkey/register/options", { email: form.get("email") });
      const response = await startRegistration({ optionsJSON: optionsJSON as never });
      return post("/demo/passkey/register/verify", response);
    },
    password: (form) => post("/demo/signup/password", { email: form.get("email"), password: form.get("password") }),
  },
  signin: {
    passkey: async () => {
      const optionsJSON = await post("/demo/passkey/login/options", {});
      const response = await startAuthentication({ optionsJSON: optionsJSON as never });
      return post("/demo/passkey/login/verify", response);
    },
    password: (form) => post("/demo/signin/password", { email: form.get("email"), password: form.get("password") }),
  },
};

for (const [id, methods] of Object.entries(flows)) {
  const form = document.getElementById(id) as HTMLFormElement;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const method = ((event.submitter as HTMLElement | null)?.dataset.method ?? "password") as Method;
    say("");
    try {
      await methods[method](new FormData(form));
      location.assign(next);
    } catch (error) {
      const cancelled = error instanceof Error && error.name === "NotAllowedError";
      say(cancelled ? "The passkey prompt was closed. Try again, or use a password." : (error as Error).message);
    }
  });
}
