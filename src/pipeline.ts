import type { EncodedBody } from './body.js'
import type { BreakerCall } from './breaker.js'
import { BreakerRegistry } from './breaker-manager.js'
import { Bulkhead } from './bulkhead.js'
import { type Dispatcher, publicError } from './dispatcher.js'
import type { HyperHttpError } from './errors.js'
import type { NativeRequestOptions } from './native.js'
import type { ClientConfig } from './options.js'
import type { Outgoing, Sender } from './outgoing.js'
import type { Response } from './response.js'
import type { RetryHandler } from './retry.js'
import { originOf } from './url.js'

/** The engine's total timeout when the client sets none. */
const ENGINE_TOTAL_TIMEOUT = 300_000

/**
 * Every request of a client passes here on its way to the engine: the origin's circuit
 * breaker admits it (or refuses at once), the origin's bulkhead gives it a slot (or queues or
 * refuses it), and the outcome goes back to the breaker.
 */
export class Pipeline implements Sender {
  readonly dispatcher: Dispatcher
  readonly breakers: BreakerRegistry
  readonly #bulkhead: Bulkhead | null
  readonly #config: ClientConfig
  #closed = false

  constructor(dispatcher: Dispatcher, config: ClientConfig) {
    this.dispatcher = dispatcher
    this.#config = config
    this.breakers = new BreakerRegistry(config.breaker)
    this.#bulkhead = config.bulkhead === null ? null : new Bulkhead(config.bulkhead)
  }

  /** The client's total timeout (ms, 0 for none). */
  get totalTimeout(): number {
    return this.#config.native.totalTimeout ?? ENGINE_TOTAL_TIMEOUT
  }

  /** `Dispatcher#send` behind the breaker and the bulkhead (straight through when both are off). */
  send(request: Outgoing, fetchMode: boolean): Promise<Response> {
    const dispatcher = this.dispatcher
    if (!this.breakers.enabled && this.#bulkhead === null) {
      return dispatcher.send(request, fetchMode)
    }
    return this.guard(request, fetchMode, (ready) => dispatcher.send(ready, fetchMode))
  }

  /**
   * Runs `run` once the origin's breaker and bulkhead let the request through. `run` gets the
   * request with the total timeout reduced by any time spent queued.
   */
  guard(
    request: Outgoing,
    fetchMode: boolean,
    run: (request: Outgoing) => Promise<Response>,
  ): Promise<Response> {
    const { url, signal, options, body } = request
    // The engine rejects these itself, with the error it always gives.
    if (this.#closed || signal?.aborted) return run(request)
    const origin = originOf(url)
    const bulkhead = this.#bulkhead
    let call: BreakerCall | null = null
    let slot: true | Promise<number> = true
    try {
      if (this.breakers.enabled) call = this.breakers.admit(origin)
      if (bulkhead !== null) slot = bulkhead.acquire(origin, url, signal, total(this, options))
    } catch (error) {
      call?.ignore()
      return refuse(error as HyperHttpError, body, fetchMode)
    }
    if (slot === true) return this.#observe(call, origin, run(request))
    return slot.then(
      (waited) =>
        this.#observe(call, origin, run(reduceTotal(request, total(this, options), waited))),
      (error: HyperHttpError) => {
        call?.ignore()
        return refuse(error, body, fetchMode)
      },
    )
  }

  /**
   * `send` for a request with `beforeRetry` hooks. The breaker and the bulkhead see the
   * request once, whatever the number of attempts; the engine pauses before each retry and
   * `onRetry` gives the request to send next.
   */
  sendWithRetryHook(request: Outgoing, onRetry: RetryHandler): Promise<Response> {
    return this.guard(request, false, (ready) => this.dispatcher.send(ready, false, onRetry))
  }

  /** Fails queued requests, then everything in the engine. */
  close(): void {
    this.#closed = true
    this.#bulkhead?.close()
    this.dispatcher.close()
  }

  #observe(
    call: BreakerCall | null,
    origin: string,
    response: Promise<Response>,
  ): Promise<Response> {
    const bulkhead = this.#bulkhead
    return response.then(
      (res) => {
        bulkhead?.release(origin)
        call?.report(res)
        return res
      },
      (error: unknown) => {
        bulkhead?.release(origin)
        // In fetch mode the typed error is the cause of `TypeError('fetch failed')`.
        call?.report(error instanceof TypeError ? error.cause : error)
        throw error
      },
    )
  }
}

function total(pipeline: Pipeline, options: NativeRequestOptions | null): number {
  return options?.totalTimeout ?? pipeline.totalTimeout
}

/** The request as it is sent after waiting `waited` ms in the bulkhead queue. */
function reduceTotal(request: Outgoing, total: number, waited: number): Outgoing {
  if (total === 0) return request
  const options = { ...request.options, totalTimeout: Math.max(1, Math.ceil(total - waited)) }
  return { ...request, options }
}

function refuse(error: HyperHttpError, body: EncodedBody, fetchMode: boolean): Promise<never> {
  body.stream?.cancel(error).catch(() => {})
  return Promise.reject(publicError(error, fetchMode, true))
}
