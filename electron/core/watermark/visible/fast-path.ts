/**
 * The switch and counter of one of the export's libvips paths (splice.ts, worker-jpeg.ts). Its
 * environment variable set to `off` sends those exports through the frame path, to compare the
 * two; tests turn it off in-process and count which exports took it.
 */
export class FastPath {
  #enabled: boolean;
  #taken = 0;
  /** Images smaller than this (in pixels) do not take the path. */
  minPixels: number;

  constructor(envName: string, minPixels = 0) {
    this.#enabled = process.env[envName] !== 'off';
    this.minPixels = minPixels;
  }

  /** Whether an image of `pixels` takes this path. */
  applies(pixels: number): boolean {
    return this.#enabled && pixels >= this.minPixels;
  }

  set(on: boolean): void {
    this.#enabled = on;
  }

  /** Exports made through this path in this process. */
  get taken(): number {
    return this.#taken;
  }

  count(): void {
    this.#taken++;
  }
}
