import { HyperHttpError, TimeoutError, type TimeoutPhase } from './errors.js'
import type { NativeClientOptions, NativeRequestOptions } from './native.js'
import type { Outgoing } from './pipeline.js'
import type { Response } from './response.js'

// The retry loop normally runs in the engine (crates/core/src/retry.rs). This is the same
// policy, run by the facade only for requests that have `beforeRetry` hooks, because those
// must run on the JavaScript thread between attempts. The defaults mirror the engine's.

const DEFAULT_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'QUERY']
const DEFAULT_STATUSES = [408, 429, 500, 502, 503, 504]
/** Timeouts that fire before any response byte, the only ones worth retrying. */
const RETRIED_TIMEOUTS = new Set<TimeoutPhase | undefined>([
  'pool',
  'dns',
  'connect',
  'tls',
  'headers',
])

type BackoffKind = NonNullable<NativeClientOptions['backoff']>

/** A client's retry policy, as the engine applies it. */
export interface RetryPolicy {
  maxRetries: number
  methods: ReadonlySet<string>
  statuses: ReadonlySet<number>
  networkErrors: boolean
  nonIdempotent: boolean
  idempotencyKey: boolean
  maxRetryAfter: number
  backoff: { kind: BackoffKind; base: number; max: number }
}

/** What `beforeRetry` hooks learn about the attempt that failed. */
export interface RetryInfo {
  /** The attempt about to be made (2 for the first retry). */
  attempt: number
  /** Milliseconds waited before this attempt. */
  delay: number
  /** The retryable response of the previous attempt (its body already discarded). */
  response: Response | undefined
  /** The retryable error of the previous attempt. */
  error: HyperHttpError | undefined
}

/** The policy the engine derives from the same client options. */
export function retryPolicy(native: NativeClientOptions): RetryPolicy {
  return {
    maxRetries: native.maxRetries ?? 2,
    methods: new Set(native.retryMethods ?? DEFAULT_METHODS),
    statuses: new Set(native.retryStatuses ?? DEFAULT_STATUSES),
    networkErrors: native.retryNetworkErrors ?? true,
    nonIdempotent: native.retryNonIdempotent ?? false,
    idempotencyKey: native.retryIdempotencyKey ?? true,
    maxRetryAfter: native.maxRetryAfter ?? 60_000,
    backoff: {
      kind: native.backoff ?? 'decorrelated-jitter',
      base: native.backoffBase ?? 100,
      max: native.backoffMax ?? 10_000,
    },
  }
}

/**
 * Retries limited to a fraction of requests over a sliding window, with a floor per second,
 * counted in one-second slices.
 */
export class RetryBudget {
  readonly #ratio: number
  readonly #minPerSecond: number
  readonly #window: number
  readonly #slices: Array<{ start: number; requests: number; retries: number }> = []

  constructor(ratio: number, minPerSecond: number, window: number) {
    this.#ratio = ratio
    this.#minPerSecond = minPerSecond
    this.#window = window
  }

  /** The budget the engine would build from the same options, or `null` when disabled. */
  static of(native: NativeClientOptions): RetryBudget | null {
    if (native.retryBudget === false) return null
    return new RetryBudget(
      native.retryBudgetRatio ?? 0.2,
      native.retryBudgetMinPerSecond ?? 10,
      native.retryBudgetWindow ?? 10_000,
    )
  }

  /** Counts a first attempt. */
  recordRequest(): void {
    this.#current(performance.now()).requests++
  }

  /** Takes one retry from the budget; false when it is spent. */
  tryRetry(): boolean {
    const now = performance.now()
    this.#expire(now)
    let requests = 0
    let retries = 0
    for (const slice of this.#slices) {
      requests += slice.requests
      retries += slice.retries
    }
    const floor = this.#minPerSecond * Math.max(this.#window / 1000, 1)
    if (retries >= Math.max(requests * this.#ratio, floor)) return false
    this.#current(now).retries++
    return true
  }

  #current(now: number): { start: number; requests: number; retries: number } {
    this.#expire(now)
    let last = this.#slices.at(-1)
    if (last === undefined || now - last.start >= 1000) {
      last = { start: now, requests: 0, retries: 0 }
      this.#slices.push(last)
    }
    return last
  }

  #expire(now: number): void {
    while (this.#slices.length > 0 && now - this.#slices[0].start >= this.#window) {
      this.#slices.shift()
    }
  }
}

/** The wait before retry number `retry` (1-based), given the previous wait. */
export function backoffDelay(policy: RetryPolicy, retry: number, previous: number): number {
  const { kind, base, max } = policy.backoff
  switch (kind) {
    case 'none':
      return 0
    case 'constant':
      return base
    case 'exponential':
      return between(0, Math.min(max, base * 2 ** Math.min(retry - 1, 30)))
    case 'decorrelated-jitter': {
      const upper = Math.min(max, Math.max(previous, base) * 3)
      return between(Math.min(base, upper), upper)
    }
  }
}

function between(low: number, high: number): number {
  return high <= low ? low : low + Math.random() * (high - low)
}

/** The wait a `Retry-After` value asks for (delta-seconds or HTTP-date), in ms. */
export function retryAfter(value: string | null): number | undefined {
  if (value === null) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

/** What the retry loop needs from the client. */
export interface AttemptContext {
  policy: RetryPolicy
  budget: RetryBudget | null
  /** The client's total timeout (ms, 0 for none), used unless the request sets one. */
  totalTimeout: number
  /** One attempt, engine retries off. */
  send(request: Outgoing, options: NativeRequestOptions): Promise<Response>
  /** Waits between attempts; rejects at once on abort or when the client closes. */
  sleep(ms: number, signal: AbortSignal | undefined, url: string): Promise<void>
  /** Runs `beforeRetry` hooks and builds the next attempt's request. */
  next(info: RetryInfo): Promise<Outgoing>
}

/**
 * Runs the attempts of `first` with the engine's retry policy, on the JavaScript thread:
 * same retryable outcomes, `Retry-After` cap, backoff, budget and total timeout.
 */
export async function sendWithRetries(context: AttemptContext, first: Outgoing): Promise<Response> {
  const { policy, budget } = context
  const overrides = first.options
  const maxRetries = overrides?.maxRetries ?? policy.maxRetries
  const allowed = overrides?.retryNonIdempotent === true || allows(policy, first)
  budget?.recordRequest()
  const total = overrides?.totalTimeout ?? context.totalTimeout
  const deadline = total > 0 ? performance.now() + total : Number.POSITIVE_INFINITY
  let request = first
  let previous = 0
  for (let attempt = 1; ; attempt++) {
    const options: NativeRequestOptions = { ...request.options, maxRetries: 0 }
    if (total > 0) options.totalTimeout = Math.max(1, Math.ceil(deadline - performance.now()))
    let response: Response | undefined
    let error: HyperHttpError | undefined
    try {
      response = await context.send(request, options)
    } catch (failure) {
      if (!(failure instanceof HyperHttpError)) throw failure
      error = failure
    }
    let wait = retryWait(policy, response, error, attempt, previous)
    let refusal = ''
    if (wait !== undefined && (attempt > maxRetries || !allowed)) wait = undefined
    if (wait !== undefined && request.body.stream !== null) {
      refusal = '; not retried: the request body was a stream that cannot be sent again'
      wait = undefined
    } else if (wait !== undefined && budget !== null && !budget.tryRetry()) {
      refusal = "; not retried: the client's retry budget is spent"
      wait = undefined
    }
    if (wait === undefined) {
      if (response !== undefined) return countAttempts(response, attempt)
      const failure = countAttempts(error as HyperHttpError, attempt)
      failure.message += refusal
      throw failure
    }
    if (response !== undefined) discard(response)
    const remaining = deadline - performance.now()
    if (wait >= remaining) {
      await context.sleep(remaining, request.signal, request.url)
      throw new TimeoutError(`total timeout of ${total} ms elapsed`, {
        url: request.url,
        phase: 'total',
        attempts: attempt,
      })
    }
    await context.sleep(wait, request.signal, request.url)
    previous = wait
    request = await context.next({ attempt: attempt + 1, delay: wait, response, error })
  }
}

function allows(policy: RetryPolicy, request: Outgoing): boolean {
  if (policy.nonIdempotent || policy.methods.has(request.method)) return true
  if (!policy.idempotencyKey) return false
  const headers = request.headers
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i].toLowerCase() === 'idempotency-key') return true
  }
  return false
}

/** How long to wait before retrying this outcome, or `undefined` when it is final. */
function retryWait(
  policy: RetryPolicy,
  response: Response | undefined,
  error: HyperHttpError | undefined,
  attempt: number,
  previous: number,
): number | undefined {
  if (response !== undefined) {
    if (!policy.statuses.has(response.status)) return undefined
    const asked = retryAfter(response.headers.get('retry-after'))
    if (asked === undefined) return backoffDelay(policy, attempt, previous)
    return asked > policy.maxRetryAfter ? undefined : asked
  }
  return error !== undefined && retriesError(policy, error)
    ? backoffDelay(policy, attempt, previous)
    : undefined
}

/**
 * Failures before any response byte. A connection closed while reading the body never gets
 * here: the response head has resolved the attempt by then.
 */
function retriesError(policy: RetryPolicy, error: HyperHttpError): boolean {
  if (!policy.networkErrors) return false
  switch (error.code) {
    case 'ERR_DNS':
    case 'ERR_CONNECT':
    case 'ERR_CONNECTION_CLOSED':
      return true
    case 'ERR_TIMEOUT':
      return RETRIED_TIMEOUTS.has((error as TimeoutError).phase)
    default:
      return false
  }
}

/** Frees the connection of a response that is retried instead of returned. */
function discard(response: Response): void {
  response.body?.cancel().catch(() => {})
}

/** The engine counted only the last attempt; the loop reports them all. */
function countAttempts<T extends { readonly attempts: number }>(target: T, attempts: number): T {
  ;(target as { attempts: number }).attempts = attempts
  return target
}
