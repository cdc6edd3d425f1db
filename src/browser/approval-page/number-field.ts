/** The field of number matching on a request card. */
export interface NumberField {
  form: HTMLFormElement;
  /** The two digits typed, or `null` when there are not two yet. */
  value(): number | null;
  focus(): void;
}

/**
 * A large two-digit field where the person types the number shown on the requesting `device`
 * ("computer"). The phone is never offered the number or a choice of numbers, so it cannot be
 * picked by luck. Pressing Enter calls `onSubmit`; `id` makes the field's own id unique on the page.
 * @example card.append(numberField("3f…", "computer", approve).form);
 */
export function numberField(id: string, device: string, onSubmit: () => void): NumberField {
  const form = document.createElement("form");
  form.className = "number";
  form.noValidate = true; // the card says what is missing in its own words
  const input = document.createElement("input");
  const attributes = {
    id: `number-${id}`,
    name: "number",
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
    input.value = input.value.replace(/\D/g, "").slice(0, 2);
  });
  const label = Object.assign(document.createElement("label"), {
    htmlFor: input.id,
    textContent: `Type the number shown on the ${device}`,
  });
  form.append(label, input);
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
