/**
 * The emulator's notion of "now". Token expiry (§1.6: 9000 s), temporary tags (§11.4: 3600 s), registry JWTs
 * (§11.1: 3600 s) and page tokens (§7.6: 2 days) all read it, so tests move time instead of sleeping.
 */
export class Clock {
  #offsetMs: number;

  constructor(startTimeMs?: number) {
    this.#offsetMs = startTimeMs === undefined ? 0 : startTimeMs - Date.now();
  }

  nowMs(): number {
    return Date.now() + this.#offsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  advanceSeconds(seconds: number): void {
    this.#offsetMs += seconds * 1000;
  }
}
