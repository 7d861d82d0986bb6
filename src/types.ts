import type { LookupAddress } from 'node:dns'
import type { RequestBody } from './body.js'
import type { BreakerOutcome } from './breaker.js'
import type { Response } from './response.js'
import type { RetryInfo } from './retry.js'

/**
 * Request headers: a `Headers`, `[name, value]` pairs, or a record (entries whose value is
 * `undefined` are left out).
 *
 * @example
 * ```ts
 * client.get('/', { headers: { accept: 'application/json', 'x-trace': traceId } })
 * ```
 */
export type HeadersInit =
  | Headers
  | Iterable<readonly [string, string]>
  | Record<string, string | number | readonly string[] | undefined>

/**
 * What to do with a 3xx response: follow it (default), return it as is, or reject with a
 * `RedirectError`.
 */
export type RedirectMode = 'follow' | 'manual' | 'error'

/**
 * Timeouts in milliseconds; `0` disables one. A number sets the total timeout only.
 *
 * @example
 * ```ts
 * new Client({ timeout: { connect: 2_000, read: 10_000, total: 60_000 } })
 * ```
 */
export interface TimeoutOptions {
  /** Establishing the TCP connection (and DNS). Default 10000. */
  connect?: number
  /** Longest wait for the response headers or between two body chunks. Default 30000. */
  read?: number
  /** Longest wait while sending the request. Default 30000. */
  write?: number
  /** Longest wait for a free connection when the pool is full. Default 30000. */
  pool?: number
  /** The whole exchange, from the call to the last body byte. Default 300000. */
  total?: number
}

/** A total timeout in milliseconds, or per-phase timeouts. */
export type Timeout = number | TimeoutOptions

/**
 * Connection pool limits.
 *
 * @example
 * ```ts
 * new Client({ limits: { maxConnections: 200, maxConnectionsPerHost: 32 } })
 * ```
 */
export interface LimitsOptions {
  /** Most open connections overall; further requests queue. Default 1024. */
  maxConnections?: number
  /** Most open connections to one origin; further requests queue. Default 128. */
  maxConnectionsPerHost?: number
  /** How long an idle connection is kept for reuse, in milliseconds. Default 4000. */
  keepAliveTimeout?: number
  /**
   * Most idle connections kept overall; when one more goes idle, the least recently used
   * closes. `0` keeps none. Default: `maxConnections`.
   */
  maxIdleConnections?: number
  /**
   * Most idle connections kept per origin; the surplus of a burst closes as it finishes. `0`
   * disables keep-alive. Default: `maxConnectionsPerHost`.
   */
  maxIdleConnectionsPerHost?: number
  /**
   * Age in milliseconds after which a connection takes no new request: it finishes what it
   * carries, then closes (useful behind DNS-based load balancing). `0` or unset: no limit.
   */
  maxConnectionAge?: number
  /** Requests after which a connection takes no new one and closes when done. Default: no limit. */
  maxRequestsPerConnection?: number
}

/**
 * TLS settings. Verification is on by default; `NODE_EXTRA_CA_CERTS` is honoured.
 *
 * @example
 * ```ts
 * new Client({ tls: { ca: readFileSync('corp-root.pem'), cert, key } })
 * ```
 */
export interface TlsOptions {
  /** `false` accepts any server certificate. Only for tests. Default `true`. */
  rejectUnauthorized?: boolean
  /** Extra trusted root certificates (PEM), added to the built-in ones. */
  ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array>
  /** Client certificate chain (PEM), sent when the server asks; requires `key`. */
  cert?: string | Uint8Array
  /** Private key (PEM) of `cert`. */
  key?: string | Uint8Array
  /**
   * Also trust the operating system's certificate store, as Node's `--use-system-ca` (on
   * Linux the bundle found by OpenSSL's conventions, `SSL_CERT_FILE` / `SSL_CERT_DIR`
   * included). Default `false`.
   */
  useSystemCa?: boolean
  /**
   * Name sent as SNI and verified against the certificate instead of the URL's host, e.g.
   * `'example.test'` while connecting to `https://127.0.0.1:8443/`.
   */
  servername?: string
  /** Lowest TLS version offered. Default `'TLSv1.2'`. */
  minVersion?: TlsVersion
  /** Highest TLS version offered. Default `'TLSv1.3'`. */
  maxVersion?: TlsVersion
  /**
   * Public key pins: base64 SHA-256 digests of a SubjectPublicKeyInfo, as in HPKP
   * (`openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256
   * -binary | base64`). Checked in addition to normal verification: the verified chain must
   * also contain one of these keys (leaf, intermediate or trust anchor), or the request
   * fails with `ERR_TLS_PIN_MISMATCH`.
   */
  pins?: ReadonlyArray<string>
  /**
   * Client certificate chain and private key as one PKCS#12 file (`.pfx`, `.p12`), instead of
   * `cert` and `key`; opened with `passphrase`.
   *
   * @example
   * ```ts
   * const client = new Client({
   *   tls: { pfx: readFileSync('client.pfx'), passphrase: process.env.PFX_PASSPHRASE },
   * })
   * ```
   */
  pfx?: Uint8Array
  /**
   * Passphrase of `pfx`, or of `key` when it is an encrypted PKCS#8 PEM key
   * (`-----BEGIN ENCRYPTED PRIVATE KEY-----`). A wrong one fails `new Client()` with
   * `ERR_INVALID_ARGUMENT`.
   */
  passphrase?: string
  /**
   * Also trust the certificates in the file named by `NODE_EXTRA_CA_CERTS`, as Node does (the
   * engine reads it itself: Node's own trust store is not visible to it). Default `true`.
   */
  useNodeExtraCaCerts?: boolean
}

/** A TLS protocol version, spelled as in Node's `tls` module. */
export type TlsVersion = 'TLSv1.2' | 'TLSv1.3'

/**
 * A client's proxy:
 * - a URL (string or `URL`): `http:` (requests to `http:` targets are forwarded, `https:`
 *   targets go through a `CONNECT` tunnel), `https:` (the same, with TLS to the proxy),
 *   `socks5:` (names resolved locally) or `socks5h:` (names resolved by the proxy).
 *   Credentials in the URL go to the proxy only: `Proxy-Authorization: Basic` for HTTP
 *   proxies, RFC 1929 username/password for SOCKS5. Messages show the URL without password.
 * - `{ url, headers }`: the same, plus headers for the proxy (on each `CONNECT`, and on each
 *   request forwarded to an `http:` target).
 * - `'env'`: `https_proxy`, `http_proxy`, `all_proxy` and `no_proxy` (upper-case names too;
 *   the lower-case one wins), read when the client is created.
 * - `false`: no proxy.
 *
 * A refusing proxy rejects requests with `ProxyError` (`ERR_PROXY`, `proxyStatus`).
 *
 * @example
 * ```ts
 * new Client({ proxy: { url: 'http://proxy.corp:3128', headers: { 'x-team': 'payments' } } })
 * ```
 */
export type ProxyOption =
  | string
  | URL
  | { url: string | URL; headers?: HeadersInit }
  | 'env'
  | false

/**
 * Options of `new Client()`. All are optional and validated at construction.
 *
 * @example
 * ```ts
 * const client = new Client({
 *   baseUrl: 'https://api.example.com/v1/',
 *   headers: { authorization: `Bearer ${token}` },
 *   timeout: { connect: 5_000, total: 30_000 },
 * })
 * ```
 */
export interface ClientOptions {
  /**
   * Prefix of relative request URLs (`'users/1'` and `'/users/1'` both resolve below its
   * path). Requests can never leave its origin.
   */
  baseUrl?: string | URL
  /** Headers sent with every request; a request's own header of the same name wins. */
  headers?: HeadersInit
  /** Timeouts in milliseconds; a number is the total timeout. */
  timeout?: Timeout
  /** Connection pool limits. */
  limits?: LimitsOptions
  /** Offer HTTP/2 through ALPN on TLS connections. Default `true`. */
  http2?: boolean
  /** Speak HTTP/2 without negotiation (h2c on `http:`). Default `false`. */
  http2PriorKnowledge?: boolean
  /** TLS verification and client identity. */
  tls?: TlsOptions
  /** Decode gzip, deflate, br and zstd bodies. Default `true`. */
  decompress?: boolean
  /** Largest decoded response body in bytes. Default 268435456 (256 MiB). */
  maxDecodedBodySize?: number
  /** Largest response head in bytes. Default 65536 (64 KiB). */
  maxHeaderSize?: number
  /** Most fields in a response head. Default 256. */
  maxHeaderCount?: number
  /** Redirect policy. Default `'follow'`. */
  redirect?: RedirectMode
  /** Most redirects followed for one request. Default 20. */
  maxRedirects?: number
  /** Refuse `http:` URLs and redirects from `https:` to `http:`. Default `false`. */
  httpsOnly?: boolean
  /**
   * `user-agent` sent when a request sets none (visible ASCII). Default `hyperhttp/<version>`.
   *
   * @example
   * ```ts
   * new Client({ userAgent: 'my-service/2.1 (+https://example.com/bot)' })
   * ```
   */
  userAgent?: string
  /**
   * Worker threads of the engine (1 to 1024). The engine is one per process, shared by every
   * client and every Node worker thread: it is started by the first client the process
   * creates (the one behind the global `fetch` included), and only that client's value
   * counts; later clients' values are ignored. Default: `HYPERHTTP_WORKER_THREADS`, else the
   * number of CPUs less one (at least 1), leaving a processor to the JavaScript thread.
   * HTTP/2 connections run on threads of their own besides these
   * ({@link ClientOptions.http2Lanes}).
   *
   * @example
   * ```ts
   * new Client({ workerThreads: 2 })
   * ```
   */
  workerThreads?: number
  /**
   * HTTP/2 lanes (0 to 1024): threads of their own that run HTTP/2 connections with their
   * requests and body reads, each origin on one lane (origins get lanes in turn as they are
   * first seen). 0 runs HTTP/2 on the worker threads with everything else. Like
   * {@link ClientOptions.workerThreads}, this sets up the process's one engine: only the first
   * client's value counts. Default: `HYPERHTTP_HTTP2_LANES`, else one per two worker threads.
   * More lanes let a program that talks HTTP/2 to several busy origins spread them over more
   * processors; see the README's How it works.
   *
   * @example
   * ```ts
   * new Client({ http2Lanes: 4 })
   * ```
   */
  http2Lanes?: number
  /**
   * Retry policy, run by the engine (waits never wake JavaScript). Default: idempotent
   * requests retried twice with decorrelated jitter; `false` disables retries.
   */
  retry?: RetryOptions | false
  /** A token bucket per origin. Default: none. */
  rateLimit?: RateLimitOptions
  /**
   * A circuit breaker per origin. Default: on, opening after 5 failures in a row for 30 s;
   * `false` turns breakers off.
   */
  circuitBreaker?: CircuitBreakerOptions | false
  /** A cap on concurrent requests per origin, with a bounded queue. Default: none. */
  bulkhead?: BulkheadOptions | false
  /** Functions run at fixed points of every request (see {@link Hooks}). */
  hooks?: Hooks
  /**
   * Also publish each request on the undici diagnostics channels (`undici:request:create`,
   * `:headers`, `:trailers`, `:error`), so APM instrumentations of undici (such as
   * `@opentelemetry/instrumentation-undici`) trace hyperhttp requests unchanged. Costs
   * nothing while nobody subscribes. Default: `true`.
   */
  undiciChannels?: boolean
  /**
   * Route the client's connections through a proxy. Default: none (`fetch` uses the
   * environment's proxies only with `NODE_USE_ENV_PROXY=1` or `--use-env-proxy`, as Node's
   * own `fetch` does). See {@link ProxyOption}.
   *
   * @example
   * ```ts
   * new Client({ proxy: 'http://user:secret@proxy.corp:3128' })
   * new Client({ proxy: 'socks5h://127.0.0.1:1080' })
   * new Client({ proxy: 'env' }) // HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY
   * ```
   */
  proxy?: ProxyOption
  // DNS and connections:
  /**
   * Resolves host names instead of the system resolver, with Node's `dns.lookup` signature.
   * Called on the JavaScript thread only when a new connection needs an address and the DNS
   * cache has none (never for IP literals), redirects and retries included. It is called with
   * `{ all: true, family }` and may answer either callback shape. An error (or a throw) fails
   * the request with `ConnectError` `ERR_DNS`, the error as `cause`. Default: `getaddrinfo`.
   *
   * @example
   * ```ts
   * import { lookup } from 'node:dns'
   * new Client({ lookup: (host, options, callback) => lookup(host, options, callback) })
   * ```
   */
  lookup?: LookupFunction
  /**
   * Consulted before every connection with every address about to be dialed, resolved or
   * literal, redirects and retries included. Anything but `true` (or a throw) fails the request
   * with `ConnectError` `ERR_ADDRESS_BLOCKED` before anything is sent.
   *
   * @example
   * ```ts
   * import { BlockList } from 'node:net'
   * const internal = new BlockList()
   * internal.addSubnet('10.0.0.0', 8)
   * new Client({ addressFilter: (address, family) => !internal.check(address, `ipv${family}`) })
   * ```
   */
  addressFilter?: AddressFilter
  /**
   * The engine's cache of resolved names (the `lookup`'s answers too). Default
   * `{ ttl: 30_000, maxEntries: 1024 }`; `false` resolves for every new connection.
   */
  dnsCache?: DnsCacheOptions | false
  /**
   * Happy Eyeballs (RFC 8305): with several addresses, start the next one after
   * `autoSelectFamilyAttemptTimeout` even while the previous attempt is pending, families
   * interleaved; the first connected wins. `false` tries them one after another. Default `true`.
   */
  autoSelectFamily?: boolean
  /** Delay before the next address is tried, in ms (at least 10). Default 250, as Node. */
  autoSelectFamilyAttemptTimeout?: number
  /**
   * Local IP address outgoing connections are bound to; only addresses of its family are
   * dialed.
   *
   * @example
   * ```ts
   * new Client({ localAddress: '192.0.2.10' })
   * ```
   */
  localAddress?: string
  /**
   * Cookies kept across requests and redirect hops. `true`: an in-memory RFC 6265 jar kept by
   * the engine (a cookie set by a 302 is sent on the next hop). An object with the
   * tough-cookie interface (`getCookieString(url)`, `setCookie(cookie, url)`, sync or async):
   * that jar, asked on every hop. Default: none.
   *
   * @example
   * ```ts
   * new Client({ cookieJar: true })
   * new Client({ cookieJar: new CookieJar() }) // import { CookieJar } from 'tough-cookie'
   * ```
   */
  cookieJar?: boolean | CookieJar

  /**
   * Send every request over this Unix domain socket (on Windows, a named pipe such as
   * `\\.\pipe\docker_engine`) instead of resolving and dialling the URL's host. The URL
   * still gives the Host header, the path and the scheme: `https:` URLs speak TLS over the
   * socket (verified against the URL's host, as curl's `--unix-socket` does). Redirects, to
   * any origin, go over the same socket. Default: none.
   *
   * @example
   * ```ts
   * const docker = new Client({ socketPath: '/var/run/docker.sock', baseUrl: 'http://docker/v1.45/' })
   * const containers = await (await docker.get('containers/json')).json()
   * ```
   */
  socketPath?: string
}

/**
 * `lookup` option: Node's `dns.lookup` (or any function of that shape) fits.
 *
 * @example
 * ```ts
 * const lookup: LookupFunction = (hostname, options, callback) =>
 *   callback(null, [{ address: '127.0.0.1', family: 4 }])
 * ```
 */
export type LookupFunction = (
  hostname: string,
  options: { all: true; family: 0 | 4 | 6 },
  callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
) => void

/**
 * `addressFilter` option: `true` lets the client connect to `address` for `hostname`.
 *
 * @example
 * ```ts
 * const publicOnly: AddressFilter = (address) => !address.startsWith('10.')
 * ```
 */
export type AddressFilter = (address: string, family: 4 | 6, hostname: string) => boolean

/** `dnsCache` option. */
export interface DnsCacheOptions {
  /** How long a resolved name is reused, in ms. Default 30_000. */
  ttl?: number
  /** Names kept at most; the one closest to expiry makes room. Default 1024. */
  maxEntries?: number
}

/**
 * Circuit breaker settings, shared by the breakers of every origin (scheme, host, port).
 *
 * @example
 * ```ts
 * new Client({
 *   circuitBreaker: { failureThreshold: 5, recoveryTimeout: 30_000, failureRateThreshold: 0.5 },
 * })
 * ```
 */
export interface CircuitBreakerOptions {
  /** Failures in a row that open the breaker. Default 5. */
  failureThreshold?: number
  /**
   * Failure rate (above 0, at most 1) over `windowSize` that opens the breaker once
   * `minimumCalls` calls were counted there. Default: off (only failures in a row count).
   */
  failureRateThreshold?: number
  /** The rolling window of `failureRateThreshold`, in ms. Default 60000. */
  windowSize?: number
  /** Calls the window needs before its failure rate counts. Default 20. */
  minimumCalls?: number
  /** How long an open breaker refuses requests before letting probes through, in ms. Default 30000. */
  recoveryTimeout?: number
  /** Probes let through at the same time while half-open. Default 1. */
  halfOpenMaxProbes?: number
  /** Successful probes that close the breaker again. Default 1. */
  successThreshold?: number
  /**
   * Whether a response or error counts as a failure. Default: `ConnectError`, `TimeoutError`,
   * `TlsError` and 5xx responses. Aborts, a closed client, invalid arguments, the rate limiter,
   * the bulkhead and request body errors never count, whatever this returns.
   */
  isFailure?: (outcome: BreakerOutcome) => boolean
  /** The clock, in ms (default `Date.now`); inject one in tests to move time by hand. */
  now?: () => number
}

/**
 * A cap on concurrent requests per origin.
 *
 * @example
 * ```ts
 * new Client({ bulkhead: { maxConcurrent: 20, maxQueue: 100 } })
 * ```
 */
export interface BulkheadOptions {
  /** Requests that may run at the same time per origin (from send to response head). */
  maxConcurrent: number
  /** Requests that may wait for a slot; beyond, `BulkheadFullError`. Default 0. */
  maxQueue?: number
}

/**
 * When and how the engine retries.
 *
 * @example
 * ```ts
 * new Client({ retry: { maxRetries: 3, backoff: { kind: 'decorrelated-jitter', base: 100, max: 10_000 } } })
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number
  /** Methods retried without opt-in. Default GET, HEAD, OPTIONS, PUT, DELETE, TRACE, QUERY. */
  methods?: string[]
  /** Response statuses retried. Default 408, 429, 500, 502, 503, 504. */
  statuses?: number[]
  /** Retry failures that happened before any response byte. Default `true`. */
  networkErrors?: boolean
  /** Retry every method, POST and PATCH included. Default `false`. */
  nonIdempotent?: boolean
  /** A request with an `Idempotency-Key` header is retryable whatever its method. Default `true`. */
  idempotencyKey?: boolean
  /** Longest `Retry-After` (ms) honoured; a longer one returns the response. Default 60000. */
  maxRetryAfter?: number
  /** Waits between attempts (ms). Default decorrelated jitter, base 100, max 10000. */
  backoff?: {
    kind?: 'none' | 'constant' | 'exponential' | 'decorrelated-jitter'
    base?: number
    max?: number
  }
  /**
   * Caps retries at a fraction of requests over a window, with a floor per second, so retries
   * cannot multiply an outage. Default `{ ratio: 0.2, minPerSecond: 10, window: 10000 }`;
   * `false` disables it.
   */
  budget?: { ratio?: number; minPerSecond?: number; window?: number } | false
}

/**
 * A per-origin token bucket.
 *
 * @example
 * ```ts
 * new Client({ rateLimit: { rate: 50, burst: 10, mode: 'wait' } })
 * ```
 */
export interface RateLimitOptions {
  /** Sustained requests per second per origin. */
  rate: number
  /** Requests that may go at once after a quiet period. Default 1. */
  burst?: number
  /** `'wait'` (default) delays a request until a token is free; `'reject'` fails it with `RateLimitError`. */
  mode?: 'wait' | 'reject'
}

/** A value of the `query` option; `null` and `undefined` entries are left out. */
export type QueryValue = string | number | boolean | bigint | null | undefined

/**
 * Query parameters appended to the URL: a string, `URLSearchParams`, pairs, or a record
 * whose array values repeat the parameter.
 *
 * @example
 * ```ts
 * client.get('/search', { query: { q: 'cats', tag: ['a', 'b'], page: 2 } })
 * // /search?q=cats&tag=a&tag=b&page=2
 * ```
 */
export type QueryInit =
  | string
  | URLSearchParams
  | Iterable<readonly [string, QueryValue]>
  | Record<string, QueryValue | readonly QueryValue[]>

/**
 * Options of one `Client` request (`client.get(url, options)` and friends).
 *
 * @example
 * ```ts
 * await client.post('/items', { json: { name: 'x' }, timeout: 5_000 })
 * ```
 */
export interface RequestOptions {
  /** Headers of this request; they override the client's headers of the same name. */
  headers?: HeadersInit
  /** The request body; its type sets content-type unless a header does. */
  body?: RequestBody
  /** A value sent as JSON with `content-type: application/json`; excludes `body`. */
  json?: unknown
  /** Query parameters appended to the URL. */
  query?: QueryInit
  /** Aborts the request; it then rejects with an `AbortError` whose cause is the reason. */
  signal?: AbortSignal | null
  /** Timeouts of this request, overriding the client's. */
  timeout?: Timeout
  /** Redirect policy of this request. */
  redirect?: RedirectMode
  /** Most redirects followed for this request. */
  maxRedirects?: number
  /** Decode compressed bodies for this request. */
  decompress?: boolean
  /**
   * `false` disables retries for this request; `nonIdempotent: true` opts a POST or PATCH in
   * (safe when the server deduplicates, for example by an `Idempotency-Key`).
   */
  retry?: { maxRetries?: number; nonIdempotent?: boolean } | false
  /** Hooks of this request, run after the client's. */
  hooks?: Hooks
  /**
   * Called as the request body is sent: at most every 50 ms, and exactly once at 100 %.
   *
   * @example
   * ```ts
   * await client.put('/upload', { body, onUploadProgress: (p) => console.log(p.percent) })
   * ```
   */
  onUploadProgress?: ProgressCallback
  /**
   * Called as the response body is received (decoded bytes): at most every 50 ms, and
   * exactly once at 100 % when the body ends.
   *
   * @example
   * ```ts
   * const res = await client.get('/file', { onDownloadProgress: (p) => console.log(p.transferredBytes) })
   * await res.arrayBuffer()
   * ```
   */
  onDownloadProgress?: ProgressCallback
}

/**
 * A full request for `client.request()`.
 *
 * @example
 * ```ts
 * await client.request({ method: 'PUT', url: '/items/1', body: 'x' })
 * ```
 */
export interface RequestConfig extends RequestOptions {
  /** Absolute URL, or relative to the client's `baseUrl`. */
  url: string | URL
  /** HTTP method, upper-cased. Default `'GET'`. */
  method?: string
}

/**
 * `fetch` options: the platform's `RequestInit` plus hyperhttp's per-request options.
 *
 * @example
 * ```ts
 * await fetch(url, { method: 'POST', body, timeout: { total: 5_000 } })
 * ```
 */
export interface FetchInit extends Omit<RequestInit, 'body' | 'redirect'> {
  /** The request body; a stream requires `duplex: 'half'`. */
  body?: RequestBody | undefined
  /** Redirect policy. Default: the client's (`'follow'`). */
  redirect?: RedirectMode | undefined
  /** Required (`'half'`) when the body is a stream. */
  duplex?: 'half' | undefined
  /** Timeouts of this request in milliseconds; a number is the total timeout. */
  timeout?: Timeout | undefined
  /** Most redirects followed. */
  maxRedirects?: number | undefined
  /** Decode compressed bodies. */
  decompress?: boolean | undefined
}

/**
 * A request as hooks see it: the request options with an absolute `url` (query applied), an
 * upper-case `method`, and `headers` as a `Headers` holding the client's default headers
 * too. Hooks may change it in place.
 *
 * @example
 * ```ts
 * const addTrace: BeforeRequestHook = (request) => {
 *   request.headers.set('x-trace-id', crypto.randomUUID())
 * }
 * ```
 */
export interface HookRequest extends RequestConfig {
  /** Absolute URL; a relative one set by a hook resolves against `baseUrl`. */
  url: string
  /** Upper-case method. */
  method: string
  /** Request headers, the client's defaults included. */
  headers: Headers
}

/** A response a hook may produce: hyperhttp's, or the platform's (converted). */
type AnyResponse = Response | globalThis.Response

/** What a beforeRequest hook may return besides nothing. */
type BeforeRequestResult = RequestConfig | AnyResponse

/**
 * Runs before the request is sent. Return nothing to keep the (possibly changed) request,
 * a new request config to replace it, or a `Response` (hyperhttp's or the platform's) to
 * answer without any network traffic (`afterResponse` hooks still run).
 *
 * @example
 * ```ts
 * const auth: BeforeRequestHook = async (request) => {
 *   request.headers.set('authorization', `Bearer ${await tokens.get()}`)
 * }
 * ```
 */
export type BeforeRequestHook = (
  request: HookRequest,
  // biome-ignore lint/suspicious/noConfusingVoidType: an async hook that returns nothing is a Promise<void>
) => void | BeforeRequestResult | Promise<void | BeforeRequestResult>

/**
 * Runs before each retry, after the backoff wait; changes to `request` apply to this attempt
 * and the later ones. Throwing ends the request with that error.
 *
 * @example
 * ```ts
 * const refresh: BeforeRetryHook = async (request, { response }) => {
 *   if (response?.status === 503) request.headers.set('x-retry', 'yes')
 * }
 * ```
 */
export type BeforeRetryHook = (request: HookRequest, retry: RetryInfo) => void | Promise<void>

/**
 * Runs when the response head has arrived. Return nothing to keep it or a `Response`
 * (hyperhttp's or the platform's) to replace it.
 *
 * @example
 * ```ts
 * const log: AfterResponseHook = (response, request) => {
 *   console.log(request.method, request.url, response.status, response.attempts)
 * }
 * ```
 */
export type AfterResponseHook = (
  response: Response,
  request: HookRequest,
  // biome-ignore lint/suspicious/noConfusingVoidType: an async hook that returns nothing is a Promise<void>
) => void | AnyResponse | Promise<void | AnyResponse>

/**
 * Runs when sending the request failed (network errors, timeouts, an open circuit breaker,
 * a full bulkhead, an abort...). Return nothing to keep the error or an `Error` to replace
 * it; the next hook receives the replacement.
 *
 * @example
 * ```ts
 * const wrap: BeforeErrorHook = (error, request) => new UpstreamError(request.url, { cause: error })
 * ```
 */
export type BeforeErrorHook = (
  error: Error,
  request: HookRequest,
  // biome-ignore lint/suspicious/noConfusingVoidType: an async hook that returns nothing is a Promise<void>
) => void | Error | Promise<void | Error>

/**
 * Functions run at fixed points of every request, in array order; a request's own hooks run
 * after the client's.
 *
 * @example
 * ```ts
 * new Client({ hooks: { beforeRequest: [auth], afterResponse: [log] } })
 * ```
 */
export interface Hooks {
  /** Before the request is sent; may change or replace it, or answer it. */
  beforeRequest?: BeforeRequestHook[]
  /** Before each retry, after the engine's wait; the engine pauses its retry loop for them. */
  beforeRetry?: BeforeRetryHook[]
  /** After the response head arrives; may replace the response. */
  afterResponse?: AfterResponseHook[]
  /** When the request fails; may replace the error. */
  beforeError?: BeforeErrorHook[]
}

/** Validated hooks: every list present, copied at validation. */
export interface HookLists {
  beforeRequest: readonly BeforeRequestHook[]
  beforeRetry: readonly BeforeRetryHook[]
  afterResponse: readonly AfterResponseHook[]
  beforeError: readonly BeforeErrorHook[]
}

/**
 * Counts of a client's connections and requests, for one origin or in total.
 *
 * @example
 * ```ts
 * const { total } = client.stats()
 * if (total.queued > 0) console.warn(`${total.queued} requests wait for a connection`)
 * ```
 */
export interface ConnectionStats {
  /** Open connections: `idle + busy`. */
  open: number
  /** Open connections carrying no request, kept for reuse. */
  idle: number
  /** Open connections carrying at least one request. */
  busy: number
  /** Requests that have a connection and have not finished (their body is still being read). */
  inFlight: number
  /**
   * Requests waiting for a connection: a free slot under `limits`, or a connection being
   * opened. A bulkhead's queue is not counted (those requests have not reached the pool).
   */
  queued: number
  /** Requests in flight on HTTP/2 connections, one stream each. */
  http2Streams: number
}

/**
 * A snapshot of a client's pool: counts in total and per origin (`scheme://host[:port]`, as
 * `URL.origin` writes it). Only origins with open connections or queued requests appear.
 * Connections over `socketPath`, and the requests queued for them, count under the socket
 * (`unix:/tmp/app.sock`), whatever the URL's origin.
 *
 * @example
 * ```ts
 * const stats = client.stats()
 * console.log(stats.total.busy, stats.origins['https://api.example.com']?.idle)
 * ```
 */
export interface PoolStats {
  /** All origins together. */
  total: ConnectionStats
  /** Per origin. */
  origins: Record<string, ConnectionStats>
}
// Cookies and progress

/**
 * A cookie jar kept in JavaScript, with the interface of tough-cookie's `CookieJar` (as got
 * accepts it). Each method may return a promise.
 *
 * @example
 * ```ts
 * import { CookieJar as ToughCookieJar } from 'tough-cookie'
 * const jar: CookieJar = new ToughCookieJar()
 * const client = new Client({ cookieJar: jar })
 * ```
 */
export interface CookieJar {
  /** The `Cookie` header value for a request to `url` (`''` when none). */
  getCookieString(url: string): string | Promise<string>
  /** Stores one `Set-Cookie` value received from `url`. */
  setCookie(cookie: string, url: string): unknown
}

/**
 * How far a transfer is.
 *
 * @example
 * ```ts
 * const onDownloadProgress = ({ transferredBytes, totalBytes, percent }: Progress) => {}
 * ```
 */
export interface Progress {
  /** Bytes transferred so far. */
  transferredBytes: number
  /** Bytes expected in all; 0 when unknown. */
  totalBytes: number
  /** From 0 to 1; 0 while the total is unknown, 1 exactly once, when the transfer ends. */
  percent: number
}

/**
 * Receives {@link Progress} reports; what it throws fails the request.
 *
 * @example
 * ```ts
 * const log: ProgressCallback = (p) => console.log(`${Math.round(p.percent * 100)} %`)
 * ```
 */
export type ProgressCallback = (progress: Progress) => void
