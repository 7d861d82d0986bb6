import {
  AbortError,
  BulkheadFullError,
  ClientClosedError,
  type HyperHttpError,
  TimeoutError,
} from './errors.js'

/** A client's bulkhead settings after validation. */
export interface BulkheadSettings {
  maxConcurrent: number
  maxQueue: number
}

/** The requests of one origin: how many run, and who waits, in arrival order. */
class Compartment {
  active = 0
  readonly queue = new Set<Waiter>()
}

/** A queued request: leaves the queue on abort or when its total timeout elapses. */
class Waiter {
  readonly #bulkhead: Bulkhead
  readonly compartment: Compartment
  readonly origin: string
  readonly url: string
  readonly signal: AbortSignal | undefined
  readonly since = performance.now()
  readonly resolve: (waited: number) => void
  readonly reject: (error: HyperHttpError) => void
  readonly promise: Promise<number>
  timer: NodeJS.Timeout | undefined

  constructor(
    bulkhead: Bulkhead,
    compartment: Compartment,
    origin: string,
    url: string,
    signal: AbortSignal | undefined,
  ) {
    this.#bulkhead = bulkhead
    this.compartment = compartment
    this.origin = origin
    this.url = url
    this.signal = signal
    const { promise, resolve, reject } = Promise.withResolvers<number>()
    this.promise = promise
    this.resolve = resolve
    this.reject = reject
  }

  /** The abort listener. */
  handleEvent(): void {
    this.#bulkhead.leave(
      this,
      new AbortError(undefined, { url: this.url, cause: this.signal?.reason }),
    )
  }
}

/**
 * A cap on concurrent requests per origin with a bounded wait queue. A request holds its
 * slot from the moment it is sent until its response head arrives or it fails (retries
 * included); queued requests start in arrival order as slots free up.
 */
export class Bulkhead {
  readonly #settings: BulkheadSettings
  readonly #byOrigin = new Map<string, Compartment>()

  constructor(settings: BulkheadSettings) {
    this.#settings = settings
  }

  /**
   * Takes a slot for a request to `origin`: `true` when one is free now, else a promise of
   * the milliseconds waited once one is handed over. Throws `BulkheadFullError` when the
   * queue is full too. `timeout` (ms, 0 for none) bounds the wait with a total-timeout error.
   */
  acquire(
    origin: string,
    url: string,
    signal: AbortSignal | undefined,
    timeout: number,
  ): true | Promise<number> {
    let compartment = this.#byOrigin.get(origin)
    if (compartment === undefined) {
      compartment = new Compartment()
      this.#byOrigin.set(origin, compartment)
    }
    const { maxConcurrent, maxQueue } = this.#settings
    if (compartment.active < maxConcurrent) {
      compartment.active++
      return true
    }
    if (compartment.queue.size >= maxQueue) {
      throw new BulkheadFullError(
        `the bulkhead for ${origin} is full: ${maxConcurrent} requests running and ${maxQueue} queued`,
        { origin, url },
      )
    }
    const waiter = new Waiter(this, compartment, origin, url, signal)
    compartment.queue.add(waiter)
    signal?.addEventListener('abort', waiter)
    if (timeout > 0) {
      waiter.timer = setTimeout(() => {
        const error = new TimeoutError(
          `total timeout of ${timeout} ms elapsed while queued in the bulkhead for ${origin}`,
          { url, phase: 'total' },
        )
        this.leave(waiter, error)
      }, timeout)
    }
    return waiter.promise
  }

  /** Frees a slot of `origin`, handing it to the first queued request if there is one. */
  release(origin: string): void {
    const compartment = this.#byOrigin.get(origin)
    if (compartment === undefined) return
    for (const next of compartment.queue) {
      this.#dequeue(next)
      next.resolve(performance.now() - next.since)
      return
    }
    if (--compartment.active === 0) this.#byOrigin.delete(origin)
  }

  /** Fails every queued request with `ClientClosedError`. */
  close(): void {
    for (const compartment of this.#byOrigin.values()) {
      for (const waiter of compartment.queue) {
        this.leave(waiter, new ClientClosedError(undefined, { url: waiter.url }))
      }
    }
  }

  /** Takes `waiter` out of the queue and fails it with `error`. */
  leave(waiter: Waiter, error: HyperHttpError): void {
    if (!waiter.compartment.queue.has(waiter)) return
    this.#dequeue(waiter)
    waiter.reject(error)
  }

  #dequeue(waiter: Waiter): void {
    waiter.compartment.queue.delete(waiter)
    waiter.signal?.removeEventListener('abort', waiter)
    clearTimeout(waiter.timer)
  }
}
