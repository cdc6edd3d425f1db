// The demo login page: "Send a request to my phone" turns the <qr-login> element into a push
// request to that account (its `login` attribute); "Use a QR code instead" turns it back.
const element = document.getElementById("qr-login") as HTMLElement;
const form = document.getElementById("push") as HTMLFormElement;
const useQr = document.getElementById("use-qr") as HTMLButtonElement;

function pushTo(login: string | null): void {
  if (login) element.setAttribute("login", login);
  else element.removeAttribute("login");
  form.hidden = login !== null;
  useQr.hidden = login === null;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const email = String(new FormData(form).get("email") ?? "").trim();
  if (email) pushTo(email);
});
useQr.addEventListener("click", () => pushTo(null));
