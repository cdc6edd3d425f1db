import { BarcodeDetector as PonyfillDetector } from "qr/decode.js";

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorClass = new (options: { formats: string[] }) => Detector;

const FRAME_GAP_MS = 120;

/** True where a page may open the camera at all (secure context with media devices). */
export function cameraAvailable(): boolean {
  return window.isSecureContext && typeof navigator.mediaDevices?.getUserMedia === "function";
}

/** The platform's BarcodeDetector when it reads QR codes, else the `qr` package's own decoder. */
async function createDetector(): Promise<Detector> {
  const Native = (globalThis as { BarcodeDetector?: DetectorClass & { getSupportedFormats(): Promise<string[]> } })
    .BarcodeDetector;
  if (Native && (await Native.getSupportedFormats().catch((): string[] => [])).includes("qr_code")) {
    return new Native({ formats: ["qr_code"] });
  }
  return new PonyfillDetector({ formats: ["qr_code"] }) as unknown as Detector;
}

/**
 * Shows the back camera in `video` and resolves with the text of the first QR code it sees.
 * Rejects if the camera cannot be opened; `signal` stops it (the promise then never settles).
 * @example const text = await scanWithCamera(videoElement, controller.signal);
 */
export async function scanWithCamera(video: HTMLVideoElement, signal: AbortSignal): Promise<string> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    audio: false,
  });
  const release = () => {
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  signal.addEventListener("abort", release, { once: true });
  try {
    video.srcObject = stream;
    await video.play();
    const detector = await createDetector();
    for (;;) {
      if (signal.aborted) return await new Promise<never>(() => {});
      if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
        const [found] = await detector.detect(video).catch(() => []);
        if (found?.rawValue) return found.rawValue;
      }
      await new Promise((resolve) => setTimeout(resolve, FRAME_GAP_MS));
    }
  } finally {
    if (!signal.aborted) release();
  }
}
