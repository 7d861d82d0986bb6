import { Client } from './client.js'
import { platformFetch, undiciDispatcherReason } from './platform-fetch.js'
import { fetchUsesEnvProxy } from './proxy.js'
import type { Response } from './response.js'
import type { FetchInit, PoolStats } from './types.js'

let shared: Client | undefined

/**
 * Drop-in replacement for the global `fetch`, backed by a shared {@link Client} created on
 * first use (no base URL, no retries, no circuit breaker; idle, it does not keep the process
 * alive). Network failures reject with `TypeError('fetch failed')` whose `cause` is the
 * typed error; an abort rejects with `signal.reason`; bad input with a TypeError whose
 * `cause` is an `InvalidArgumentError`.
 * hyperhttp's options (`timeout`, `maxRedirects`, `decompress`) can be added to `init`.
 * A call with an undici `dispatcher` (in `init`, or a `ProxyAgent`, `MockAgent` or other
 * non-default dispatcher installed with undici's `setGlobalDispatcher`) is sent by Node's own
 * fetch, which honours it, and resolves to a platform `Response`; a warning says so once.
 *
 * @example
 * ```ts
 * import { fetch } from 'hyperhttp'
 * const res = await fetch('https://example.com/api', { signal: AbortSignal.timeout(5_000) })
 * console.log(res.status, await res.json())
 * ```
 */
export function fetch(input: string | URL | Request, init?: FetchInit): Promise<Response> {
  const reason = undiciDispatcherReason(init)
  if (reason !== undefined) return platformFetch(reason, input, init) as Promise<Response>
  let client: Client
  try {
    client = sharedClient()
  } catch (error) {
    // A bad HYPERHTTP_WORKER_THREADS or HYPERHTTP_HTTP2_LANES: fetch rejects, never throws.
    return Promise.reject(error)
  }
  return client.fetch(input, init)
}

/** The client behind {@link fetch} (and `hyperhttp/register`), created on first use. */
export function sharedClient(): Client {
  // The platform's fetch never retries nor fails fast; a configured Client does (client.fetch).
  shared ??= new Client({
    retry: false,
    circuitBreaker: false,
    ...(fetchUsesEnvProxy() ? { proxy: 'env' as const } : {}),
  })
  return shared
}

/**
 * Pool statistics of the client behind {@link fetch} (and `hyperhttp/register`); all zero
 * before its first request. See `Client.stats()`.
 *
 * @example
 * ```ts
 * import { fetchStats } from 'hyperhttp'
 * setInterval(() => console.log(fetchStats().total), 10_000).unref()
 * ```
 */
export function fetchStats(): PoolStats {
  return shared?.stats() ?? { total: NO_CONNECTIONS, origins: {} }
}

const NO_CONNECTIONS = Object.freeze({
  open: 0,
  idle: 0,
  busy: 0,
  inFlight: 0,
  queued: 0,
  http2Streams: 0,
})
