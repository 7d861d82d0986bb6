/** A clock for `circuitBreaker.now` that only moves when told to. */
export class ManualClock {
  #now = 1_700_000_000_000

  readonly now = (): number => this.#now

  advance(ms: number): void {
    this.#now += ms
  }
}
