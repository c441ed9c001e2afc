/**
 * The switch and counter of one of the export's libvips paths (splice.ts, worker-jpeg.ts). Its
 * environment variable set to `off` sends those exports through the frame path, to compare the
 * two; tests turn it off in-process and count which exports took it.
 */
export class FastPath {
  #enabled: boolean;
  #taken = 0;

  constructor(envName: string) {
    this.#enabled = process.env[envName] !== 'off';
  }

  get enabled(): boolean {
    return this.#enabled;
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
