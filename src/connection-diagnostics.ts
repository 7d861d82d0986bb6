import { channel } from 'node:diagnostics_channel'
import { isIPv6 } from 'node:net'
import type { DiagnosticsRequest } from './diagnostics.js'
import { fromNative, type HyperHttpError } from './errors.js'
import type { NativeClient } from './native.js'

/**
 * One connection of the engine, as `hyperhttp:connection:open` and `:close` subscribers see
 * it. The same object is passed to both messages of a connection.
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel'
 * subscribe('hyperhttp:connection:open', (message) => {
 *   const { connection } = message as ConnectionMessage
 *   console.log(connection.id, connection.origin, connection.protocol, connection.remoteAddress)
 * })
 * ```
 */
export class DiagnosticsConnection {
  /** Unique in the process; `response.timings.connection` names it. */
  readonly id: number
  /** `scheme://host:port` the connection was opened for. */
  readonly origin: string
  readonly protocol: 'h1' | 'h2'
  readonly localAddress: string | undefined
  readonly localPort: number | undefined
  readonly remoteAddress: string | undefined
  readonly remotePort: number | undefined

  /** @internal From a CONNECTION record (crates/node/README.md). */
  constructor(events: unknown[], i: number) {
    this.id = events[i + 3] as number
    this.origin = events[i + 4] as string
    this.protocol = events[i + 5] as 'h1' | 'h2'
    this.localAddress = events[i + 6] as string | undefined
    this.localPort = events[i + 7] as number | undefined
    this.remoteAddress = events[i + 8] as string | undefined
    this.remotePort = events[i + 9] as number | undefined
  }
}

/**
 * `hyperhttp:connection:open` (TCP, and TLS for `https:`, done) and
 * `hyperhttp:connection:close`.
 *
 * @example
 * ```ts
 * subscribe('hyperhttp:connection:close', (message) => {
 *   console.log('closed', (message as ConnectionMessage).connection.id)
 * })
 * ```
 */
export interface ConnectionMessage {
  connection: DiagnosticsConnection
}

/**
 * `hyperhttp:connection:error`: opening a connection failed.
 *
 * @example
 * ```ts
 * subscribe('hyperhttp:connection:error', (message) => {
 *   const { origin, error } = message as ConnectionErrorMessage
 *   console.warn(origin, error.code)
 * })
 * ```
 */
export interface ConnectionErrorMessage {
  /** `scheme://host:port`. */
  origin: string
  /** `ConnectError`, `TimeoutError` (phase `dns`, `connect`, `tls` or `pool`), `TlsError`... */
  error: HyperHttpError
}

const open = channel('hyperhttp:connection:open')
const close = channel('hyperhttp:connection:close')
const failed = channel('hyperhttp:connection:error')
const undiciConnected = channel('undici:client:connected')
const undiciConnectError = channel('undici:client:connectError')
const undiciSendHeaders = channel('undici:client:sendHeaders')

/** What undici's messages call `socket`: the socket lives in the engine, this describes it. */
interface SocketDescription {
  localAddress: string | undefined
  localPort: number | undefined
  remoteAddress: string | undefined
  remotePort: number | undefined
  remoteFamily: 'IPv4' | 'IPv6' | undefined
  /** `'h2'` or `'http/1.1'` on `https:` connections, as on a `TLSSocket`. */
  alpnProtocol: string | undefined
}

/**
 * Connection events of one client on `diagnostics_channel`. The engine reports connections
 * only while some connection channel has a subscriber: each request checks, and the engine is
 * told when that changes.
 */
export class ConnectionEvents {
  readonly #native: NativeClient
  readonly #undici: boolean
  readonly #open = new Map<number, DiagnosticsConnection>()
  #observing = false

  constructor(native: NativeClient, undici: boolean) {
    this.#native = native
    this.#undici = undici
  }

  /** Tells the engine to report connections, or to stop, when subscribers came or went. */
  sync(): void {
    const wanted =
      open.hasSubscribers ||
      close.hasSubscribers ||
      failed.hasSubscribers ||
      (this.#undici &&
        (undiciConnected.hasSubscribers ||
          undiciConnectError.hasSubscribers ||
          undiciSendHeaders.hasSubscribers))
    if (wanted === this.#observing) return
    this.#native.observeConnections(wanted)
    this.#observing = wanted
    if (!wanted) this.#open.clear()
  }

  /** Publishes the CONNECTION record at `i`. */
  publish(events: unknown[], i: number): void {
    const kind = events[i + 2]
    if (kind === 'error') {
      const origin = events[i + 4] as string
      const error = fromNative(
        events[i + 5] as string,
        events[i + 6] as string,
        events[i + 7] as string | undefined,
        origin,
      )
      if (failed.hasSubscribers) failed.publish({ origin, error } satisfies ConnectionErrorMessage)
      if (this.#undici && undiciConnectError.hasSubscribers) {
        undiciConnectError.publish({ connectParams: connectParams(origin), socket: null, error })
      }
      return
    }
    const id = events[i + 3] as number
    const connection = this.#open.get(id) ?? new DiagnosticsConnection(events, i)
    if (kind === 'open') {
      if (this.#observing) this.#open.set(id, connection)
      if (open.hasSubscribers) open.publish({ connection } satisfies ConnectionMessage)
      if (this.#undici && undiciConnected.hasSubscribers) {
        undiciConnected.publish({
          connectParams: connectParams(connection.origin),
          socket: describeSocket(connection),
        })
      }
    } else {
      this.#open.delete(id)
      if (close.hasSubscribers) close.publish({ connection } satisfies ConnectionMessage)
    }
  }

  /** The client closed: its engine closes every connection but reports nothing more. */
  closeAll(): void {
    if (close.hasSubscribers) {
      for (const connection of this.#open.values()) {
        close.publish({ connection } satisfies ConnectionMessage)
      }
    }
    this.#open.clear()
  }

  /**
   * `undici:client:sendHeaders` for a request whose head arrived on `connectionId` (known
   * when the connection opened while observed). Published with the response head, since the
   * engine writes the request.
   */
  sentHeaders(request: DiagnosticsRequest, connectionId: number | undefined): void {
    if (!this.#undici || !undiciSendHeaders.hasSubscribers || connectionId === undefined) return
    const connection = this.#open.get(connectionId)
    if (connection === undefined) return
    let headers = ''
    const list = request.headers
    for (let i = 0; i + 1 < list.length; i += 2) headers += `${list[i]}: ${list[i + 1]}\r\n`
    undiciSendHeaders.publish({ request, headers, socket: describeSocket(connection) })
  }
}

function describeSocket(connection: DiagnosticsConnection): SocketDescription {
  const remote = connection.remoteAddress
  const https = connection.origin.startsWith('https:')
  return {
    localAddress: connection.localAddress,
    localPort: connection.localPort,
    remoteAddress: remote,
    remotePort: connection.remotePort,
    remoteFamily: remote === undefined ? undefined : isIPv6(remote) ? 'IPv6' : 'IPv4',
    alpnProtocol: https ? (connection.protocol === 'h2' ? 'h2' : 'http/1.1') : undefined,
  }
}

/** undici's `connectParams` for an origin. */
function connectParams(origin: string): Record<string, unknown> {
  const url = new URL(origin)
  return {
    host: url.host,
    hostname: url.hostname,
    protocol: url.protocol,
    port: url.port,
    servername: url.protocol === 'https:' ? url.hostname : null,
  }
}
