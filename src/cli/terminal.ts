import encodeQR from "qr";

/** How `qrlogin login` draws the QR: half-block characters, two spaces a module in colour, or not at all. */
export type QrStyle = "small" | "large" | "none";
export const QR_STYLES: readonly QrStyle[] = ["small", "large", "none"];

/**
 * `text` as a QR code for the terminal. `small` packs two rows in a line with half blocks and shows
 * light modules in the terminal's text colour (right on dark terminals); `large` sets black and
 * white explicitly, so it also scans on light ones, at four times the area.
 * @example process.stderr.write(qrText("https://example.com/qrlogin/a#t=…", "small"));
 */
export function qrText(text: string, style: QrStyle): string {
  if (style === "none") return "";
  return encodeQR(text, style === "small" ? "ascii" : "term", { ecc: "low" });
}

/** `ms` as minutes and seconds, e.g. `1:05`. */
export function formatDuration(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/**
 * A line of progress that rewrites itself on a terminal and stays silent elsewhere (a log file
 * does not want a line a second); lines written through it are kept either way.
 */
export class StatusLine {
  /** The progress line on screen, or `undefined` when there is none. */
  #shown: string | undefined;

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }) {}

  /** Whether the progress line is drawn at all. */
  get live(): boolean {
    return this.out.isTTY === true;
  }

  /** Replaces the progress line. */
  update(text: string): void {
    if (!this.live || text === this.#shown) return;
    this.out.write(`\r\x1b[2K${text}`);
    this.#shown = text;
  }

  /** Removes the progress line, e.g. before the program ends. */
  clear(): void {
    if (this.#shown === undefined) return;
    this.out.write("\r\x1b[2K");
    this.#shown = undefined;
  }

  /** Writes a line that stays, above the progress line. */
  line(text: string): void {
    this.clear();
    this.out.write(`${text}\n`);
  }
}
