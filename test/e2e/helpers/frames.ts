import { writeFileSync } from "node:fs";
import { PNG } from "pngjs";
import decodeQR from "qr/decode.js";

/** An RGBA image, as pngjs reads it. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Reads a PNG (a screenshot) into RGBA pixels. */
export function readPng(png: Buffer): Rgba {
  const { width, height, data } = PNG.sync.read(png);
  return { width, height, data };
}

/** The text of the QR code in a screenshot, read from its pixels by a real decoder. */
export function decodeQrFromPng(png: Buffer): string {
  return decodeQR(readPng(png));
}

/**
 * Writes an RGBA image as a one-frame Y4M video (planar I420, full-range BT.601, as `C420jpeg`
 * says), which Chromium's fake camera plays in a loop. Odd edges are cropped to even sizes.
 */
export function writeY4m(image: Rgba, file: string): void {
  const width = image.width & ~1;
  const height = image.height & ~1;
  const y = Buffer.alloc(width * height);
  const u = Buffer.alloc((width / 2) * (height / 2));
  const v = Buffer.alloc((width / 2) * (height / 2));
  const at = (px: number, py: number) => (py * image.width + px) * 4;
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const i = at(px, py);
      const [r, g, b] = [image.data[i] ?? 0, image.data[i + 1] ?? 0, image.data[i + 2] ?? 0];
      y[py * width + px] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }
  }
  for (let cy = 0; cy < height / 2; cy++) {
    for (let cx = 0; cx < width / 2; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const i = at(cx * 2 + dx, cy * 2 + dy);
        r += (image.data[i] ?? 0) / 4;
        g += (image.data[i + 1] ?? 0) / 4;
        b += (image.data[i + 2] ?? 0) / 4;
      }
      const clamp = (n: number) => Math.max(0, Math.min(255, Math.round(n)));
      u[cy * (width / 2) + cx] = clamp(-0.168736 * r - 0.331264 * g + 0.5 * b + 128);
      v[cy * (width / 2) + cx] = clamp(0.5 * r - 0.418688 * g - 0.081312 * b + 128);
    }
  }
  const header = `YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`;
  writeFileSync(file, Buffer.concat([Buffer.from(header), Buffer.from("FRAME\n"), y, u, v]));
}
