import { performance } from 'node:perf_hooks'
import { type InspectOptionsStylized, inspect } from 'node:util'
import { nativeBinding, TIMING_SLOTS } from './native.js'

// One row of the engine's timings array (crates/node/README.md).
const START = 0
const QUEUED = 1
const DNS = 2
const CONNECT = 3
const TLS = 4
const SENT = 5
const FIRST_BYTE = 6
const END = 7
const REUSED = 8
const PROTOCOL = 9
const REDIRECTS = 10
const CONNECTION = 11

/** `performance.now()` minus the engine's clock: both read the OS monotonic clock. */
let clockOffset: number | undefined

function offset(): number {
  if (clockOffset === undefined) {
    const { engineClock } = nativeBinding()
    // Bracketing the native read halves the error of the call itself.
    const before = performance.now()
    const engine = engineClock()
    clockOffset = (before + performance.now()) / 2 - engine
  }
  return clockOffset
}

function mark(value: number): number | undefined {
  return Number.isNaN(value) ? undefined : value
}

/**
 * When each step of a request happened, in milliseconds from its start, measured in the
 * engine. The steps are those of the request's last exchange (the final hop of the final
 * attempt, as the browser's Resource Timing describes the final response); `queued` and later
 * marks include any retry waits and earlier hops. A step that did not happen is `undefined`:
 * `dns`, `connect` and `tls` on a connection this request did not open (`reused`), `dns` for
 * an IP address, `tls` for `http:`.
 *
 * @example
 * ```ts
 * const res = await client.get('/slow')
 * await res.text()
 * const { firstByte, sent, end, reused, protocol } = res.timings
 * console.log(`server took ${firstByte - sent} ms, body ${end - firstByte} ms`, reused, protocol)
 * ```
 */
export class RequestTimings {
  readonly #row: Float64Array
  readonly #base: number
  #end: number | undefined
  /** Attempts made (1 when the request was not retried). */
  readonly attempts: number

  /** @internal */
  constructor(table: Float64Array, row: number, attempts: number) {
    this.#row = table
    this.#base = row * TIMING_SLOTS
    this.attempts = attempts
  }

  /** @internal Whether the engine sent timings for this row (not for every error). */
  static known(table: Float64Array | undefined, row: number): table is Float64Array {
    return table !== undefined && !Number.isNaN(table[row * TIMING_SLOTS + START])
  }

  #at(slot: number): number | undefined {
    return mark(this.#row[this.#base + slot])
  }

  /** When the request started, on the `performance.now()` timeline. */
  get startTime(): number {
    return this.#row[this.#base + START] + offset()
  }

  /**
   * The exchange had its connection: the pool slots for a new connection, else the pooled
   * connection handed over (includes rate-limit waits, retry waits and earlier hops).
   */
  get queued(): number | undefined {
    return this.#at(QUEUED)
  }

  /** The host name was resolved (new connections to a host name only). */
  get dns(): number | undefined {
    return this.#at(DNS)
  }

  /** The TCP connection was established (new connections only). */
  get connect(): number | undefined {
    return this.#at(CONNECT)
  }

  /** The TLS handshake finished (new `https:` connections only). */
  get tls(): number | undefined {
    return this.#at(TLS)
  }

  /**
   * The connection's last write before the response head (or the failure), to the
   * millisecond: the request's last byte on HTTP/1.1; on HTTP/2 possibly another stream's.
   */
  get sent(): number | undefined {
    return this.#at(SENT)
  }

  /** The response head was received. */
  get firstByte(): number | undefined {
    return this.#at(FIRST_BYTE)
  }

  /**
   * The body was received whole: by the engine for a body that came with the head, else when
   * its last chunk reached JavaScript. `undefined` until then, and for a body never read.
   */
  get end(): number | undefined {
    return this.#at(END) ?? this.#end
  }

  /** True when this request did not open its connection (it came from the pool). */
  get reused(): boolean | undefined {
    const reused = this.#at(REUSED)
    return reused === undefined ? undefined : reused === 1
  }

  /** The connection's protocol. */
  get protocol(): 'h1' | 'h2' | undefined {
    const protocol = this.#at(PROTOCOL)
    return protocol === undefined ? undefined : protocol === 2 ? 'h2' : 'h1'
  }

  /** Redirects followed (responses only). */
  get redirects(): number | undefined {
    return this.#at(REDIRECTS)
  }

  /**
   * The id of the connection used, when `hyperhttp:connection:open` had a subscriber as it
   * opened (the `id` of that message's `connection`).
   */
  get connection(): number | undefined {
    return this.#at(CONNECTION)
  }

  /** @internal The body's last chunk reached JavaScript now. */
  finish(): void {
    if (this.#end === undefined && Number.isNaN(this.#row[this.#base + END])) {
      this.#end = performance.now() - offset() - this.#row[this.#base + START]
    }
  }

  toJSON(): Record<string, unknown> {
    return {
      startTime: this.startTime,
      queued: this.queued,
      dns: this.dns,
      connect: this.connect,
      tls: this.tls,
      sent: this.sent,
      firstByte: this.firstByte,
      end: this.end,
      reused: this.reused,
      protocol: this.protocol,
      attempts: this.attempts,
      redirects: this.redirects,
      connection: this.connection,
    }
  }

  [inspect.custom](depth: number, options: InspectOptionsStylized): string {
    return `RequestTimings ${inspect(this.toJSON(), { ...options, depth })}`
  }
}
