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
  /**
   * The exchange had its connection: the pool slots for a new connection, else the pooled
   * connection handed over (includes rate-limit waits, retry waits and earlier hops).
   */
  readonly queued: number | undefined
  /** The host name was resolved (new connections to a host name only). */
  readonly dns: number | undefined
  /** The TCP connection was established (new connections only). */
  readonly connect: number | undefined
  /** The TLS handshake finished (new `https:` connections only). */
  readonly tls: number | undefined
  /**
   * The connection's last write before the response head (or the failure), to the
   * millisecond: the request's last byte on HTTP/1.1; on HTTP/2 possibly another stream's.
   */
  readonly sent: number | undefined
  /** The response head was received. */
  readonly firstByte: number | undefined
  /** True when this request did not open its connection (it came from the pool). */
  readonly reused: boolean | undefined
  /** The connection's protocol. */
  readonly protocol: 'h1' | 'h2' | undefined
  /** Attempts made (1 when the request was not retried). */
  readonly attempts: number
  /** Redirects followed (responses only). */
  readonly redirects: number | undefined
  /**
   * The id of the connection used, when `hyperhttp:connection:open` had a subscriber as it
   * opened (the `id` of that message's `connection`).
   */
  readonly connection: number | undefined
  /** The start on the engine clock. */
  readonly #start: number
  #end: number | undefined

  /** @internal Copies row `row` of the engine's timings rows (rewritten by the next batch). */
  constructor(table: Float64Array, row: number, attempts: number) {
    const base = row * TIMING_SLOTS
    this.#start = table[base + START]
    this.queued = mark(table[base + QUEUED])
    this.dns = mark(table[base + DNS])
    this.connect = mark(table[base + CONNECT])
    this.tls = mark(table[base + TLS])
    this.sent = mark(table[base + SENT])
    this.firstByte = mark(table[base + FIRST_BYTE])
    this.#end = mark(table[base + END])
    const reused = table[base + REUSED]
    this.reused = Number.isNaN(reused) ? undefined : reused === 1
    const protocol = table[base + PROTOCOL]
    this.protocol = Number.isNaN(protocol) ? undefined : protocol === 2 ? 'h2' : 'h1'
    this.attempts = attempts
    this.redirects = mark(table[base + REDIRECTS])
    this.connection = mark(table[base + CONNECTION])
  }

  /** @internal Whether the engine sent timings for this row (not for every error). */
  static known(table: Float64Array | undefined, row: number): table is Float64Array {
    return table !== undefined && !Number.isNaN(table[row * TIMING_SLOTS + START])
  }

  /** When the request started, on the `performance.now()` timeline. */
  get startTime(): number {
    return this.#start + offset()
  }

  /**
   * The body was received whole: by the engine for a body that came with the head, else when
   * its last chunk reached JavaScript. `undefined` until then, and for a body never read.
   */
  get end(): number | undefined {
    return this.#end
  }

  /** @internal The body's last chunk reached JavaScript now. */
  finish(): void {
    this.#end ??= performance.now() - offset() - this.#start
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
