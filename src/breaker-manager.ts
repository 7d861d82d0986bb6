import {
  type BreakerCall,
  type BreakerSettings,
  CircuitBreaker,
  type CircuitOriginSnapshot,
  type CircuitState,
} from './breaker.js'
import { describe } from './describe.js'
import { InvalidArgumentError, invalid } from './errors.js'

/** Breakers are forgotten once this many exist and they hold nothing worth keeping. */
const PRUNE_ABOVE = 1024
const STATES = new Set<unknown>(['closed', 'open', 'half-open'])

/**
 * Every origin's breaker state, as `client.breakers.export()` returns it and
 * `client.breakers.restore()` takes it. Plain data: `JSON.stringify` it to persist it.
 */
export interface CircuitBreakerSnapshot {
  /** Format version. */
  version: 1
  /** Breaker state by origin (`https://api.example.com`). */
  origins: Record<string, CircuitOriginSnapshot>
}

/**
 * Dispatched by `client.breakers` (type `'statechange'`) whenever an origin's breaker changes
 * state.
 *
 * @example
 * ```ts
 * client.breakers.addEventListener('statechange', (event) => {
 *   console.warn(`${event.origin}: ${event.from} -> ${event.to}`)
 * })
 * ```
 */
export class CircuitBreakerEvent extends Event {
  /** The origin whose breaker changed. */
  readonly origin: string
  /** The state it left. */
  readonly from: CircuitState
  /** The state it entered. */
  readonly to: CircuitState

  /** @internal */
  constructor(origin: string, from: CircuitState, to: CircuitState) {
    super('statechange')
    this.origin = origin
    this.from = from
    this.to = to
  }
}

type PlatformListener = Parameters<EventTarget['addEventListener']>[1]

/** A `'statechange'` listener: a function or an object with `handleEvent`. */
export type CircuitBreakerListener =
  | ((event: CircuitBreakerEvent) => void)
  | { handleEvent(event: CircuitBreakerEvent): void }

/**
 * The circuit breakers of one client, one per origin (scheme, host, port), created on first
 * use: read their state, export and restore it, and listen for `'statechange'` events. When
 * the client was created with `circuitBreaker: false` every origin reads as `'closed'` and no
 * event is ever dispatched.
 *
 * @example
 * ```ts
 * client.breakers.addEventListener('statechange', ({ origin, from, to }) => log(origin, from, to))
 * client.breakers.state('https://api.example.com') // 'closed' | 'open' | 'half-open'
 * await writeFile('breakers.json', JSON.stringify(client.breakers.export()))
 * ```
 */
export class CircuitBreakers extends EventTarget {
  readonly #registry: BreakerRegistry

  /** @internal */
  constructor(registry: BreakerRegistry) {
    super()
    this.#registry = registry
  }

  /**
   * The state of the breaker of `origin` (any URL on it will do); `'closed'` for an origin
   * not seen yet. An open breaker whose recovery timeout has passed reads (and turns)
   * `'half-open'`.
   *
   * @example
   * ```ts
   * if (client.breakers.state('https://api.example.com') === 'open') useFallback()
   * ```
   */
  state(origin: string | URL): CircuitState {
    return this.#registry.get(originName(origin))?.state ?? 'closed'
  }

  /**
   * The state of every breaker that holds something (closed breakers with no recent failure
   * are left out).
   *
   * @example
   * ```ts
   * const saved = JSON.stringify(client.breakers.export())
   * ```
   */
  export(): CircuitBreakerSnapshot {
    return this.#registry.export()
  }

  /**
   * Takes over the breaker states of a snapshot (from `export()`, possibly of another
   * process; times are on the breaker clock, `Date.now()` by default). Origins not in the
   * snapshot keep their state. A change of state dispatches `'statechange'`.
   *
   * @example
   * ```ts
   * client.breakers.restore(JSON.parse(await readFile('breakers.json', 'utf8')))
   * ```
   */
  restore(snapshot: CircuitBreakerSnapshot): void {
    this.#registry.restore(snapshot)
  }

  /**
   * Listens for `'statechange'` events ({@link CircuitBreakerEvent}).
   *
   * @example
   * ```ts
   * client.breakers.addEventListener('statechange', (e) => metrics.gauge(e.origin, e.to))
   * ```
   */
  override addEventListener(
    type: 'statechange',
    listener: CircuitBreakerListener | null,
    options?: boolean | { capture?: boolean; once?: boolean; signal?: AbortSignal },
  ): void {
    super.addEventListener(type, listener as PlatformListener, options)
  }

  /**
   * Stops a listener added with `addEventListener`.
   *
   * @example
   * ```ts
   * client.breakers.removeEventListener('statechange', onChange)
   * ```
   */
  override removeEventListener(
    type: 'statechange',
    listener: CircuitBreakerListener | null,
    options?: boolean | { capture?: boolean },
  ): void {
    super.removeEventListener(type, listener as PlatformListener, options)
  }
}

/** Creates breakers on demand and admits requests through them. Internal to the client. */
export class BreakerRegistry {
  readonly view: CircuitBreakers
  readonly #settings: BreakerSettings | null
  readonly #byOrigin = new Map<string, CircuitBreaker>()
  readonly #onChange = (origin: string, from: CircuitState, to: CircuitState): void => {
    this.view.dispatchEvent(new CircuitBreakerEvent(origin, from, to))
  }

  constructor(settings: BreakerSettings | null) {
    this.#settings = settings
    this.view = new CircuitBreakers(this)
  }

  get enabled(): boolean {
    return this.#settings !== null
  }

  /** Lets a request to `origin` through (or throws `CircuitBreakerOpenError`). */
  admit(origin: string): BreakerCall {
    return this.#breaker(origin).admit()
  }

  get(origin: string): CircuitBreaker | undefined {
    return this.#byOrigin.get(origin)
  }

  export(): CircuitBreakerSnapshot {
    const origins: Record<string, CircuitOriginSnapshot> = {}
    for (const [origin, breaker] of this.#byOrigin) {
      if (!breaker.pristine) origins[origin] = breaker.snapshot()
    }
    return { version: 1, origins }
  }

  restore(snapshot: unknown): void {
    const entries = snapshotEntries(snapshot)
    if (this.#settings === null) return
    for (const [origin, state] of entries) this.#breaker(origin).restore(state)
  }

  #breaker(origin: string): CircuitBreaker {
    let breaker = this.#byOrigin.get(origin)
    if (breaker === undefined) {
      if (this.#byOrigin.size >= PRUNE_ABOVE) this.#prune()
      breaker = new CircuitBreaker(origin, this.#settings as BreakerSettings, this.#onChange)
      this.#byOrigin.set(origin, breaker)
    }
    return breaker
  }

  #prune(): void {
    for (const [origin, breaker] of this.#byOrigin) {
      if (breaker.pristine) this.#byOrigin.delete(origin)
    }
  }
}

function originName(value: unknown): string {
  try {
    if (typeof value !== 'string' && !(value instanceof URL)) throw new TypeError()
    const origin = new URL(value).origin
    if (origin === 'null') throw new TypeError()
    return origin
  } catch {
    throw new InvalidArgumentError(
      `origin must be an absolute http: or https: URL, got ${describe(value)}`,
    )
  }
}

/** Validates a snapshot before anything is changed, so a bad one changes nothing. */
function snapshotEntries(snapshot: unknown): Array<[string, CircuitOriginSnapshot]> {
  const s = snapshot as Partial<CircuitBreakerSnapshot> | null
  if (typeof s !== 'object' || s === null || s.version !== 1) {
    throw new InvalidArgumentError(
      `snapshot must be an object from client.breakers.export() with version 1, got ${describe(snapshot)}`,
    )
  }
  if (typeof s.origins !== 'object' || s.origins === null) {
    throw new InvalidArgumentError(`snapshot.origins must be an object, got ${describe(s.origins)}`)
  }
  return Object.entries(s.origins).map(([key, entry]) => {
    const name = `snapshot.origins[${JSON.stringify(key)}]`
    return [originName(key), originSnapshot(entry, name)]
  })
}

function originSnapshot(value: unknown, name: string): CircuitOriginSnapshot {
  const o = value as Partial<CircuitOriginSnapshot> | null
  if (typeof o !== 'object' || o === null) throw invalid(name, 'an object', value)
  if (!STATES.has(o.state))
    throw invalid(`${name}.state`, "'closed', 'open' or 'half-open'", o.state)
  const openedAt = o.openedAt ?? null
  if (openedAt !== null && !Number.isFinite(openedAt)) {
    throw invalid(`${name}.openedAt`, 'a number or null', o.openedAt)
  }
  const window = o.window ?? []
  const validWindow =
    Array.isArray(window) &&
    window.every((e) => Array.isArray(e) && e.length === 3 && e.every(Number.isFinite))
  if (!validWindow)
    throw invalid(`${name}.window`, 'an array of [start, calls, failures]', o.window)
  return {
    state: o.state as CircuitState,
    openedAt,
    consecutiveFailures: natural(o.consecutiveFailures, `${name}.consecutiveFailures`),
    halfOpenSuccesses: natural(o.halfOpenSuccesses, `${name}.halfOpenSuccesses`),
    window,
  }
}

function natural(value: unknown, name: string): number {
  if (value === undefined) return 0
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw invalid(name, 'a non-negative integer', value)
  }
  return value as number
}
