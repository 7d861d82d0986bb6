import {
  AbortError,
  BulkheadFullError,
  CircuitBreakerOpenError,
  ClientClosedError,
  ConnectError,
  HyperHttpError,
  InvalidArgumentError,
  MockNotMatchedError,
  RateLimitError,
  RequestBodyError,
  TimeoutError,
  TlsError,
} from './errors.js'
import { Response } from './response.js'

/**
 * The state of one origin's circuit breaker: `closed` lets requests through, `open` refuses
 * them, `half-open` lets a few probes through to decide.
 */
export type CircuitState = 'closed' | 'open' | 'half-open'

/** What a breaker judges: the response (its head) or the error the request failed with. */
export type BreakerOutcome = Response | HyperHttpError

/** A client's breaker settings after validation, shared by every origin. */
export interface BreakerSettings {
  failureThreshold: number
  /** `null` when only consecutive failures count. */
  failureRateThreshold: number | null
  windowSize: number
  minimumCalls: number
  recoveryTimeout: number
  halfOpenMaxProbes: number
  successThreshold: number
  isFailure: (outcome: BreakerOutcome) => boolean
  now: () => number
}

/** The exported state of one origin's breaker (plain data, JSON-safe). */
export interface CircuitOriginSnapshot {
  state: CircuitState
  /** When the breaker last opened, on the breaker clock; `null` when closed. */
  openedAt: number | null
  /** Failures in a row while closed. */
  consecutiveFailures: number
  /** Successful probes so far while half-open. */
  halfOpenSuccesses: number
  /** The rolling window (`failureRateThreshold`): `[sliceStart, calls, failures]` entries. */
  window: Array<[start: number, calls: number, failures: number]>
}

/**
 * The default failure test: network errors (`ConnectError`: refused, DNS, reset), timeouts,
 * TLS failures and 5xx responses.
 */
export function defaultIsFailure(outcome: BreakerOutcome): boolean {
  if (outcome instanceof Response) return outcome.status >= 500
  return (
    outcome instanceof ConnectError ||
    outcome instanceof TimeoutError ||
    outcome instanceof TlsError
  )
}

/** Outcomes that say nothing about the origin's health: the caller or the client caused them. */
function isNeutral(error: HyperHttpError): boolean {
  return (
    error instanceof AbortError ||
    error instanceof ClientClosedError ||
    error instanceof InvalidArgumentError ||
    error instanceof RateLimitError ||
    error instanceof RequestBodyError ||
    error instanceof BulkheadFullError ||
    error instanceof CircuitBreakerOpenError ||
    // The client's addressFilter refused a connection: its policy, not the origin's health.
    error.code === 'ERR_ADDRESS_BLOCKED' ||
    error instanceof MockNotMatchedError
  )
}

const SLICES = 10

/** Calls and failures over the last `windowSize` ms, counted in ten slices. */
class FailureWindow {
  readonly #width: number
  readonly #epochs: number[] = new Array(SLICES).fill(Number.NaN)
  readonly #calls: number[] = new Array(SLICES).fill(0)
  readonly #failures: number[] = new Array(SLICES).fill(0)

  constructor(windowSize: number) {
    this.#width = windowSize / SLICES
  }

  record(now: number, calls: number, failures: number): void {
    const epoch = Math.floor(now / this.#width)
    const slot = ((epoch % SLICES) + SLICES) % SLICES
    if (this.#epochs[slot] !== epoch) {
      this.#epochs[slot] = epoch
      this.#calls[slot] = 0
      this.#failures[slot] = 0
    }
    this.#calls[slot] += calls
    this.#failures[slot] += failures
  }

  /** `[calls, failures]` within the window ending at `now`. */
  totals(now: number): [calls: number, failures: number] {
    let calls = 0
    let failures = 0
    const current = Math.floor(now / this.#width)
    for (let slot = 0; slot < SLICES; slot++) {
      const epoch = this.#epochs[slot]
      if (epoch > current - SLICES && epoch <= current) {
        calls += this.#calls[slot]
        failures += this.#failures[slot]
      }
    }
    return [calls, failures]
  }

  entries(now: number): Array<[number, number, number]> {
    const current = Math.floor(now / this.#width)
    const out: Array<[number, number, number]> = []
    for (let slot = 0; slot < SLICES; slot++) {
      const epoch = this.#epochs[slot]
      if (epoch > current - SLICES && epoch <= current && this.#calls[slot] > 0) {
        out.push([epoch * this.#width, this.#calls[slot], this.#failures[slot]])
      }
    }
    return out.sort((a, b) => a[0] - b[0])
  }

  clear(): void {
    this.#epochs.fill(Number.NaN)
  }
}

/** One admitted request: reports its outcome to the breaker that admitted it. */
export class BreakerCall {
  readonly #breaker: CircuitBreaker
  readonly #generation: number
  readonly #probe: boolean

  constructor(breaker: CircuitBreaker, generation: number, probe: boolean) {
    this.#breaker = breaker
    this.#generation = generation
    this.#probe = probe
  }

  /**
   * Judges `outcome`: a response or a typed error is tested with `isFailure`; anything else
   * (an abort's reason in fetch mode) and errors the caller caused are ignored.
   */
  report(outcome: unknown): void {
    const judged =
      outcome instanceof Response || (outcome instanceof HyperHttpError && !isNeutral(outcome))
    if (judged) {
      const failed = this.#breaker.isFailure(outcome)
      this.#breaker.settle(this.#generation, this.#probe, failed, outcome)
    } else {
      this.ignore()
    }
  }

  /** The request never ran (a full bulkhead, for example): frees a probe slot. */
  ignore(): void {
    this.#breaker.settle(this.#generation, this.#probe, null, undefined)
  }
}

/** The breaker of one origin: closed -> open -> half-open -> closed (or open again). */
export class CircuitBreaker {
  readonly origin: string
  readonly #settings: BreakerSettings
  readonly #onChange: (origin: string, from: CircuitState, to: CircuitState) => void
  readonly #window: FailureWindow | null
  #state: CircuitState = 'closed'
  /** Bumped on every transition: outcomes of calls admitted before it are ignored. */
  #generation = 0
  #consecutiveFailures = 0
  #halfOpenSuccesses = 0
  #probes = 0
  #openedAt = 0
  /** The last failure: an error, or the status of a failed response (kept without its body). */
  #lastFailure: HyperHttpError | number | undefined

  constructor(
    origin: string,
    settings: BreakerSettings,
    onChange: (origin: string, from: CircuitState, to: CircuitState) => void,
  ) {
    this.origin = origin
    this.#settings = settings
    this.#onChange = onChange
    this.#window =
      settings.failureRateThreshold === null ? null : new FailureWindow(settings.windowSize)
  }

  /** The current state; an open breaker whose recovery timeout has passed turns half-open. */
  get state(): CircuitState {
    this.#recover()
    return this.#state
  }

  /** Whether the breaker holds nothing worth keeping (closed, no failures, no probes). */
  get pristine(): boolean {
    if (this.#state !== 'closed' || this.#consecutiveFailures > 0) return false
    return this.#window === null || this.#window.totals(this.#settings.now())[1] === 0
  }

  isFailure(outcome: BreakerOutcome): boolean {
    return this.#settings.isFailure(outcome)
  }

  /** Lets a request through, or throws `CircuitBreakerOpenError`. */
  admit(): BreakerCall {
    this.#recover()
    if (this.#state === 'closed') return new BreakerCall(this, this.#generation, false)
    if (this.#state === 'half-open' && this.#probes < this.#settings.halfOpenMaxProbes) {
      this.#probes++
      return new BreakerCall(this, this.#generation, true)
    }
    const retryAfter =
      this.#state === 'open'
        ? Math.max(0, this.#openedAt + this.#settings.recoveryTimeout - this.#settings.now())
        : 0
    const last = this.#lastFailure
    const lastText =
      last === undefined
        ? ''
        : ` (last failure: ${typeof last === 'number' ? `HTTP ${last}` : last.code})`
    const why =
      this.#state === 'open'
        ? `is open${lastText}; the next probe is allowed in ${Math.ceil(retryAfter)} ms`
        : 'is half-open and its probes are in flight'
    throw new CircuitBreakerOpenError(`the circuit breaker for ${this.origin} ${why}`, {
      origin: this.origin,
      retryAfter: Math.ceil(retryAfter),
      cause: typeof last === 'number' ? undefined : last,
    })
  }

  /** Records a call's outcome: `true` failed, `false` succeeded, `null` says nothing. */
  settle(
    generation: number,
    probe: boolean,
    failed: boolean | null,
    outcome: BreakerOutcome | undefined,
  ): void {
    if (generation !== this.#generation) return
    if (probe) this.#probes--
    if (failed === null) return
    const now = this.#settings.now()
    if (failed) {
      this.#lastFailure = outcome instanceof Response ? outcome.status : outcome
    }
    if (this.#state === 'half-open') {
      if (failed) this.#moveTo('open', now)
      else if (++this.#halfOpenSuccesses >= this.#settings.successThreshold) {
        this.#moveTo('closed', now)
      }
      return
    }
    if (this.#state !== 'closed') return
    this.#window?.record(now, 1, failed ? 1 : 0)
    if (!failed) {
      this.#consecutiveFailures = 0
      return
    }
    this.#consecutiveFailures++
    if (this.#consecutiveFailures >= this.#settings.failureThreshold || this.#rateExceeded(now)) {
      this.#moveTo('open', now)
    }
  }

  snapshot(): CircuitOriginSnapshot {
    const state = this.state
    const now = this.#settings.now()
    return {
      state,
      openedAt: state === 'closed' ? null : this.#openedAt,
      consecutiveFailures: this.#consecutiveFailures,
      halfOpenSuccesses: this.#halfOpenSuccesses,
      window: this.#window?.entries(now) ?? [],
    }
  }

  /** Takes over an exported state; emits a change when the state differs. */
  restore(snapshot: CircuitOriginSnapshot): void {
    const from = this.#state
    this.#generation++
    this.#probes = 0
    this.#state = snapshot.state
    this.#openedAt = snapshot.openedAt ?? this.#settings.now()
    this.#consecutiveFailures = snapshot.consecutiveFailures
    this.#halfOpenSuccesses = snapshot.halfOpenSuccesses
    this.#window?.clear()
    for (const [start, calls, failures] of snapshot.window) {
      this.#window?.record(start, calls, failures)
    }
    if (from !== this.#state) this.#onChange(this.origin, from, this.#state)
  }

  #rateExceeded(now: number): boolean {
    const threshold = this.#settings.failureRateThreshold
    if (this.#window === null || threshold === null) return false
    const [calls, failures] = this.#window.totals(now)
    return calls >= this.#settings.minimumCalls && failures / calls >= threshold
  }

  #recover(): void {
    if (this.#state !== 'open') return
    const now = this.#settings.now()
    if (now - this.#openedAt >= this.#settings.recoveryTimeout) this.#moveTo('half-open', now)
  }

  #moveTo(to: CircuitState, now: number): void {
    const from = this.#state
    this.#state = to
    this.#generation++
    this.#probes = 0
    this.#halfOpenSuccesses = 0
    if (to === 'open') this.#openedAt = now
    if (to === 'closed') {
      this.#consecutiveFailures = 0
      this.#lastFailure = undefined
      this.#window?.clear()
    }
    this.#onChange(this.origin, from, to)
  }
}
