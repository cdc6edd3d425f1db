/** The field of number matching on a request card. */
export interface NumberField {
  form: HTMLFormElement;
  /** The two digits typed, or `null` when there are not two yet. */
  value(): number | null;
  focus(): void;
}

/**
 * Western digits for what a keyboard sends: full-width ones (a Japanese or Chinese input method)
 * through NFKC, Arabic-Indic and Persian ones by their offset; anything else is dropped.
 * @example toDigits("٤２") // "42"
 */
export function toDigits(typed: string): string {
  return typed
    .normalize("NFKC")
    .replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (d) => String((d.codePointAt(0) ?? 0) & 0xf))
    .replace(/\D/g, "");
}

/**
 * A large two-digit field, labelled `label` ("Type the number shown on the computer"), where the
 * person types the number shown on the requesting device. The phone is never offered the number
 * or a choice of numbers, so it cannot be picked by luck. Pressing Enter calls `onSubmit`; `id`
 * makes the field's own id unique on the page.
 * @example card.append(numberField("3f…", words.t("card.numberLabel", …), approve).form);
 */
export function numberField(id: string, label: string, onSubmit: () => void): NumberField {
  const form = document.createElement("form");
  form.className = "number";
  form.noValidate = true; // the card says what is missing in its own words
  const input = document.createElement("input");
  const attributes = {
    id: `number-${id}`,
    name: "number",
    dir: "ltr",
    inputmode: "numeric",
    pattern: "[0-9]*",
    maxlength: "2",
    autocomplete: "off",
    autocorrect: "off",
    spellcheck: "false",
    enterkeyhint: "go",
  };
  for (const [name, value] of Object.entries(attributes)) input.setAttribute(name, value);
  // Digits only: whatever else a keyboard sends is dropped as it is typed.
  input.addEventListener("input", () => {
    input.value = toDigits(input.value).slice(0, 2);
  });
  form.append(Object.assign(document.createElement("label"), { htmlFor: input.id, textContent: label }), input);
  form.onsubmit = (event) => {
    event.preventDefault();
    onSubmit();
  };
  return {
    form,
    value: () => (/^\d{2}$/.test(input.value) ? Number(input.value) : null),
    focus: () => input.focus(),
  };
}
