import { createRequire } from 'node:module'
import { basename, dirname } from 'node:path'
import { HyperHttpError } from './errors.js'
import type { TlsVersion } from './types.js'

/** Redirect policy understood by the engine. */
export type NativeRedirect = 'follow' | 'manual' | 'error'

/**
 * Client-wide engine options; absent fields take the engine's defaults. Durations in ms.
 * Written out here (the generated `index.d.cts` sits outside `src/`, where `dist/` types
 * could not reach it); `scripts/check-native-types.ts` fails `tsc` when the two drift.
 */
export interface NativeClientOptions {
  connectTimeout?: number
  readTimeout?: number
  writeTimeout?: number
  poolTimeout?: number
  totalTimeout?: number
  maxConnections?: number
  maxConnectionsPerHost?: number
  keepAliveTimeout?: number
  http2?: boolean
  http2PriorKnowledge?: boolean
  tlsVerify?: boolean
  ca?: string[]
  cert?: string
  key?: string
  useNodeExtraCaCerts?: boolean
  useSystemCa?: boolean
  serverName?: string
  /** A {@link TlsVersion}; declared as the binding declares it. */
  minTlsVersion?: string
  /** A {@link TlsVersion}; declared as the binding declares it. */
  maxTlsVersion?: string
  /** SHA-256 digests of pinned SubjectPublicKeyInfos, 32 bytes each. */
  pins?: Array<Buffer>
  decompress?: boolean
  maxDecodedBodySize?: number
  maxHeaderSize?: number
  maxHeaderCount?: number
  /** A {@link NativeRedirect}; declared as the binding declares it. */
  redirect?: string
  maxRedirects?: number
  httpsOnly?: boolean
  userAgent?: string
  workerThreads?: number
  http2Lanes?: number
  maxRetries?: number
  retryMethods?: string[]
  retryStatuses?: number[]
  retryNetworkErrors?: boolean
  retryNonIdempotent?: boolean
  retryIdempotencyKey?: boolean
  maxRetryAfter?: number
  /** `none`, `constant`, `exponential` or `decorrelated-jitter`. */
  backoff?: string
  backoffBase?: number
  backoffMax?: number
  retryBudget?: boolean
  retryBudgetRatio?: number
  retryBudgetMinPerSecond?: number
  retryBudgetWindow?: number
  rateLimit?: number
  rateLimitBurst?: number
  rateLimitWait?: boolean
  /** Proxy URL for `http:` targets. */
  proxyHttp?: string
  /** Proxy URL for `https:` targets. */
  proxyHttps?: string
  /** Headers for the proxy, flat `[name0, value0, ...]`. */
  proxyHeaders?: string[]
  /** Targets that bypass the proxies, in `NO_PROXY` syntax. */
  noProxy?: string
  // DNS and connections:
  /** LOOKUP events answered with `answerLookup` resolve host names. */
  lookup?: boolean
  /** FILTER events answered with `answerFilter` come before every connection. */
  addressFilter?: boolean
  dnsCache?: boolean
  dnsCacheTtl?: number
  dnsCacheMaxEntries?: number
  autoSelectFamily?: boolean
  autoSelectFamilyAttemptTimeout?: number
  localAddress?: string
  // Client certificate from a PKCS#12 file or an encrypted key.
  pfx?: Buffer
  passphrase?: string
  // Pool: idle caps and connection lifetime.
  maxIdleConnections?: number
  maxIdleConnectionsPerHost?: number
  maxConnectionAge?: number
  maxRequestsPerConnection?: number
  /** Cookie jar: the engine keeps an in-memory jar. */
  cookieJar?: boolean
  socketPath?: string
}

/**
 * Per-request overrides of {@link NativeClientOptions}, as the facade builds them; they cross
 * as numbers (see {@link encodeRequestOptions}).
 */
export interface NativeRequestOptions {
  connectTimeout?: number
  readTimeout?: number
  writeTimeout?: number
  poolTimeout?: number
  totalTimeout?: number
  /** How redirects are handled; crosses as its index in `REDIRECT_MODES`. */
  redirect?: NativeRedirect
  maxRedirects?: number
  decompress?: boolean
  maxDecodedBodySize?: number
  /** The body arrives through NEED events answered with `write`. */
  streamBody?: boolean
  maxRetries?: number
  retryNonIdempotent?: boolean
  /** The engine pauses before each retry with a RETRY event answered with `retry` or `cancel`. */
  beforeRetry?: boolean
  /** Cookie jar in JavaScript: each hop asks for its cookies with a COOKIE event, answered with `cookies`. */
  cookies?: boolean
}

/** The binding's client (see crates/node/README.md for the event protocol). */
export interface NativeClient {
  /**
   * Parses a default header list once; the number names it in `request`'s `defaults`. Throws
   * for a field a request could not send, or over {@link HEADER_SET_FIELDS} fields.
   */
  headerSet(headers: string[]): number
  /** `defaults` names a `headerSet` (0: none); `mask` chooses its fields (bit `i`, field `i`). */
  request(
    id: number,
    method: string,
    url: string,
    headers: string[],
    body?: Buffer | undefined | null,
    options?: Float64Array | undefined | null,
    defaults?: number | undefined | null,
    mask?: number | undefined | null,
  ): void
  write(id: number, chunk?: Buffer | undefined | null): void
  retry(
    id: number,
    method: string,
    url: string,
    headers: string[],
    body?: Buffer | undefined | null,
    options?: Float64Array | undefined | null,
  ): void
  read(id: number): Buffer | null
  cancel(id: number): void
  /** The rest of body `id` in one buffer after `prefix`; one CHUNK (last) or ERROR answers. */
  readAll(id: number, prefix?: Buffer | undefined | null): void
  observeConnections(on: boolean): void
  ref(): void
  unref(): void
  close(): void
  /** Answers LOOKUP `token`: the addresses, or the message of the lookup's error. */
  answerLookup(
    token: number,
    addresses?: string[] | undefined | null,
    error?: string | undefined | null,
  ): void
  /** Answers FILTER `token`: the index of the first refused address, or `null`. */
  answerFilter(token: number, refused?: number | undefined | null): void
  stats(): NativePoolStats
  /** Answers a COOKIE event with the hop's `Cookie` value (`null` for none). */
  cookies(id: number, cookie?: string | undefined | null): void
  /** Routes new connections to a mock server (`null`: to the network again). */
  setMockRoutes(routes?: NativeMockRoutes | undefined | null): void
}

/**
 * Pool statistics as they cross: `counts` holds {@link STATS_FIELDS} numbers for the total,
 * then as many for each of `origins`, in the order open, idle, busy, in flight, queued,
 * HTTP/2 streams.
 */
export interface NativePoolStats {
  origins: Array<string>
  counts: Array<number>
}

/** Counts per entry of {@link NativePoolStats}. */
export const STATS_FIELDS = 6

/** A mock agent's route table, shared by the clients it serves (`hyperhttp/testing`). */
export interface NativeMockRoutes {
  setNetConnect(all: boolean, hosts: Array<string>): void
  mockOrigin(origin: string): void
  failConnect(
    origin: string,
    code: string,
    message: string,
    times?: number | undefined | null,
  ): void
  connectFailuresUsed(): Array<number>
}

/** Constructor of {@link NativeMockRoutes}: the mock server's socket for each scheme. */
export type NativeMockRoutesConstructor = new (
  httpSocket: string,
  httpsSocket: string,
) => NativeMockRoutes

/** Constructor of {@link NativeClient}; `onEvents` receives flat batches of 10-slot records. */
export type NativeClientConstructor = new (
  options: NativeClientOptions,
  onEvents: (events: unknown[]) => void,
) => NativeClient

/** Record kinds in slot 0 of an event record. */
export const EVENT_HEAD = 1
export const EVENT_CHUNK = 2
export const EVENT_ERROR = 3
export const EVENT_NEED = 4
export const EVENT_RETRY = 5
/** DNS and connections: questions to the client's `lookup` and `addressFilter`. */
export const EVENT_LOOKUP = 6
export const EVENT_FILTER = 7
/** Cookie jar in JavaScript: the engine asks for a hop's cookies. */
export const EVENT_COOKIE = 8
/** Slots per event record. */
export const EVENT_SLOTS = 10
/** A connection event for diagnostics (slot 1 is 0: no request). */
export const EVENT_CONNECTION = 9
/** Numbers per row of a batch's timings array (after the records, see crates/node/README.md). */
export const TIMING_SLOTS = 12
/** Numbers of a request's options as they cross (see {@link encodeRequestOptions}). */
export const REQUEST_OPTION_SLOTS = 14
/** Most fields of a `headerSet` list: a request's mask has one bit for each. */
export const HEADER_SET_FIELDS = 32

/** `redirect` modes by their number in a request's options. */
const REDIRECT_MODES: readonly NativeRedirect[] = ['follow', 'manual', 'error']

/** Filled for each call that takes options: the engine reads it before the call returns. */
const optionSlots = new Float64Array(REQUEST_OPTION_SLOTS)

/**
 * `options` as the binding's `request` and `retry` take them: one number per option, in the
 * order of `RequestSlot` in crates/node/src/options.rs, NaN for one not given, booleans 0 or
 * 1, `redirect` its index in {@link REDIRECT_MODES}. One array serves every call: the engine
 * reads it during the call. An object's fields would cost the call about two N-API calls
 * each (`node bench/micro/request-call.mjs`: a per-request timeout added 1.6-4.5 µs).
 */
export function encodeRequestOptions(options: NativeRequestOptions | null): Float64Array | null {
  if (options === null) return null
  const s = optionSlots
  s[0] = options.connectTimeout ?? Number.NaN
  s[1] = options.poolTimeout ?? Number.NaN
  s[2] = options.readTimeout ?? Number.NaN
  s[3] = options.writeTimeout ?? Number.NaN
  s[4] = options.totalTimeout ?? Number.NaN
  s[5] = options.redirect === undefined ? Number.NaN : REDIRECT_MODES.indexOf(options.redirect)
  s[6] = options.maxRedirects ?? Number.NaN
  s[7] = flag(options.decompress)
  s[8] = options.maxDecodedBodySize ?? Number.NaN
  s[9] = flag(options.streamBody)
  s[10] = options.maxRetries ?? Number.NaN
  s[11] = flag(options.retryNonIdempotent)
  s[12] = flag(options.beforeRetry)
  s[13] = flag(options.cookies)
  return s
}

function flag(value: boolean | undefined): number {
  return value === undefined ? Number.NaN : value ? 1 : 0
}

/**
 * Platforms with a prebuilt binary, named as the napi-rs CLI names them (the suffix of each
 * `@hyperhttp/binding-<platform>` package); one per triple in package.json `napi.targets`.
 */
export const PREBUILT_PLATFORMS: readonly string[] = [
  'darwin-arm64',
  'darwin-x64',
  'linux-arm64-gnu',
  'linux-arm64-musl',
  'linux-x64-gnu',
  'linux-x64-musl',
  'win32-arm64-msvc',
  'win32-x64-msvc',
]

/** What the loader exports. */
interface Binding {
  NativeClient: NativeClientConstructor
  NativeMockRoutes: NativeMockRoutesConstructor
  /** Record width the binary was built with; must equal {@link EVENT_SLOTS}. */
  EVENT_SLOTS: number
  TIMING_SLOTS: number
  REQUEST_OPTION_SLOTS: number
  HEADER_SET_FIELDS: number
  /** Milliseconds on the engine's monotonic clock (the clock of a timings row's `start`). */
  engineClock(): number
}

let binding: Binding | undefined

/**
 * Loads the napi-rs loader (`index.cjs` at the package root) on first use. The loader takes a
 * binary built in the checkout first, then the installed `@hyperhttp/binding-<platform>`
 * package. When neither loads, throws a {@link HyperHttpError} with code
 * `ERR_NATIVE_BINDING` that names the detected platform and the way out.
 */
export function nativeBinding(): Binding {
  if (binding === undefined) {
    const here = currentFile()
    // Compiled files sit in dist/esm or dist/cjs; sources (run by a test runner) in src.
    const root = basename(dirname(here)) === 'src' ? '..' : '../..'
    let loaded: Binding
    try {
      loaded = createRequire(here)(`${root}/index.cjs`)
    } catch (error) {
      throw bindingLoadError(error)
    }
    binding = checkedBinding(loaded)
  }
  return binding
}

/** What the facade expects of the binary's layout constants, by name. */
const LAYOUT = {
  EVENT_SLOTS,
  TIMING_SLOTS,
  REQUEST_OPTION_SLOTS,
  HEADER_SET_FIELDS,
} as const

/**
 * `loaded` when its layout constants equal the facade's; otherwise a {@link HyperHttpError}
 * with code `ERR_NATIVE_BINDING` naming each that differs, since records and options of
 * another layout would be read wrongly.
 */
export function checkedBinding(loaded: Binding): Binding {
  const differ = (Object.keys(LAYOUT) as (keyof typeof LAYOUT)[])
    .filter((name) => loaded[name] !== LAYOUT[name])
    .map((name) => `${name} is ${loaded[name]} in the binary, ${LAYOUT[name]} here`)
  if (differ.length === 0) return loaded
  throw new HyperHttpError(
    `the native engine and this facade come from different builds (${differ.join('; ')}). ` +
      'Reinstall hyperhttp, or rebuild with `npm run build` in a checkout.',
    { code: 'ERR_NATIVE_BINDING' },
  )
}

function bindingLoadError(cause: unknown): HyperHttpError {
  const platform = detectedPlatform()
  const remedy = PREBUILT_PLATFORMS.includes(platform)
    ? `Reinstall with optional dependencies enabled (not --omit=optional) so that npm installs ` +
      `@hyperhttp/binding-${platform}, or build from source.`
    : 'There is no prebuilt binary for it: build from source.'
  return new HyperHttpError(
    `hyperhttp found no native engine for ${platform} (Node ${process.versions.node}). ` +
      `Prebuilt binaries exist for ${PREBUILT_PLATFORMS.join(', ')}. ${remedy} ` +
      'To build from source (needs Rust, https://rustup.rs): clone the hyperhttp repository, ' +
      'run `npm install` in it (this compiles hyperhttp.<platform>.node next to index.cjs, ' +
      'which the loader tries first), then `npm install <path to the clone>` in your project. ' +
      "The loader's own error is the cause.",
    { code: 'ERR_NATIVE_BINDING', cause },
  )
}

/** This process's platform in napi-rs naming: `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`. */
function detectedPlatform(): string {
  const base = `${process.platform}-${process.arch}`
  if (process.platform === 'win32') return `${base}-msvc`
  if (process.platform !== 'linux') return base
  // Node built against glibc reports its runtime version; musl builds do not.
  const { header } = process.report.getReport() as { header?: { glibcVersionRuntime?: string } }
  return `${base}-${header?.glibcVersionRuntime === undefined ? 'musl' : 'gnu'}`
}

/**
 * Path (CommonJS) or file URL (ESM) of this module, read from the first stack frame. The
 * ESM output cannot name `import.meta` (the CommonJS build would not parse), and a global
 * `__filename` may exist in ESM too (`node -e`, eval workers), so neither is used.
 */
function currentFile(): string {
  const { prepareStackTrace, stackTraceLimit } = Error
  try {
    Error.stackTraceLimit = 1
    Error.prepareStackTrace = (_error, frames) => frames
    const frames = new Error().stack as unknown as NodeJS.CallSite[]
    const file = frames[0]?.getFileName()
    if (file === undefined || file === null) throw new Error('cannot locate hyperhttp/native')
    return file
  } finally {
    Error.prepareStackTrace = prepareStackTrace
    Error.stackTraceLimit = stackTraceLimit
  }
}
