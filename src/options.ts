import { isIP } from 'node:net'
import { type BreakerSettings, defaultIsFailure } from './breaker.js'
import type { BulkheadSettings } from './bulkhead.js'
import { cookieJarSetting } from './cookies.js'
import { InvalidArgumentError, invalid } from './errors.js'
import { flattenHeaders, lowerCaseNames } from './headers.js'
import type { NativeClientOptions, NativeRedirect, NativeRequestOptions } from './native.js'
import { proxyOptions } from './proxy.js'
import { Resolver } from './resolver.js'
import { tlsVerifyFromEnv } from './tls-env.js'
import type { AddressFilter, CookieJar, HookLists, LookupFunction, TlsVersion } from './types.js'

/** A client's options after validation: trusted everywhere inside. */
export interface ClientConfig {
  /** Options handed to the engine as they are. */
  native: NativeClientOptions
  /** Base URL with a path ending in `/`, or `null`. */
  baseUrl: URL | null
  /** Default headers, flat, names lower-cased. */
  headers: string[]
  /** Circuit breaker settings, or `null` when breakers are off. */
  breaker: BreakerSettings | null
  /** Bulkhead settings, or `null` when there is none. */
  bulkhead: BulkheadSettings | null
  /** The client's hooks, or `null` when it has none. */
  hooks: HookLists | null
  /** Publish on the undici-compatible diagnostics channels too. */
  undiciChannels: boolean
  /** Answers the engine's questions to `lookup` and `addressFilter`; `null` without them. */
  resolver: Resolver | null
  /** A cookie jar kept in JavaScript, or `null` (none, or the engine's: `native.cookieJar`). */
  cookieJar: CookieJar | null
}

/** Longest duration the engine is given: the setTimeout limit, about 24.8 days. */
const MAX_DURATION = 2 ** 31 - 1
const MAX_COUNT = 2 ** 31 - 1
const MAX_U32 = 2 ** 32 - 1
const MAX_BYTES = Number.MAX_SAFE_INTEGER
/** Most engine threads: each is an OS thread started at once, so a typo must not start millions. */
const MAX_WORKER_THREADS = 1024
/** What the engine puts in a header value: visible ASCII, space and tab. */
const HEADER_VALUE = /^[\t\x20-\x7e]+$/

const CLIENT_OPTIONS = new Set([
  'baseUrl',
  'headers',
  'timeout',
  'limits',
  'http2',
  'http2PriorKnowledge',
  'tls',
  'decompress',
  'maxDecodedBodySize',
  'maxHeaderSize',
  'maxHeaderCount',
  'redirect',
  'maxRedirects',
  'httpsOnly',
  'userAgent',
  'workerThreads',
  'http2Lanes',
  'retry',
  'rateLimit',
  'circuitBreaker',
  'bulkhead',
  'hooks',
  'undiciChannels',
  'proxy',
  // DNS and connections:
  'lookup',
  'addressFilter',
  'dnsCache',
  'autoSelectFamily',
  'autoSelectFamilyAttemptTimeout',
  'localAddress',
  // Cookies and progress
  'cookieJar',
  // Unix sockets
  'socketPath',
])
const TIMEOUT_OPTIONS = new Set(['connect', 'read', 'write', 'pool', 'total'])
const LIMITS_OPTIONS = new Set([
  'maxConnections',
  'maxConnectionsPerHost',
  'keepAliveTimeout',
  // Idle caps and connection lifetime.
  'maxIdleConnections',
  'maxIdleConnectionsPerHost',
  'maxConnectionAge',
  'maxRequestsPerConnection',
])
const TLS_OPTIONS = new Set([
  'rejectUnauthorized',
  'ca',
  'cert',
  'key',
  'useSystemCa',
  'servername',
  'minVersion',
  'maxVersion',
  'pins',
  // Client certificate from a PKCS#12 file or an encrypted key.
  'pfx',
  'passphrase',
  // Opt-out of NODE_EXTRA_CA_CERTS.
  'useNodeExtraCaCerts',
])
const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const
const RETRY_OPTIONS = new Set([
  'maxRetries',
  'methods',
  'statuses',
  'networkErrors',
  'nonIdempotent',
  'idempotencyKey',
  'maxRetryAfter',
  'backoff',
  'budget',
])
const BACKOFF_OPTIONS = new Set(['kind', 'base', 'max'])
const BACKOFF_KINDS = new Set(['none', 'constant', 'exponential', 'decorrelated-jitter'])
const BUDGET_OPTIONS = new Set(['ratio', 'minPerSecond', 'window'])
const RATE_LIMIT_OPTIONS = new Set(['rate', 'burst', 'mode'])
const BREAKER_OPTIONS = new Set([
  'failureThreshold',
  'failureRateThreshold',
  'windowSize',
  'minimumCalls',
  'recoveryTimeout',
  'halfOpenMaxProbes',
  'successThreshold',
  'isFailure',
  'now',
])
const BULKHEAD_OPTIONS = new Set(['maxConcurrent', 'maxQueue'])
const HOOK_NAMES = ['beforeRequest', 'beforeRetry', 'afterResponse', 'beforeError'] as const

/** Validates `new Client(options)` once; every problem throws an InvalidArgumentError. */
export function normalizeClientOptions(options: unknown): ClientConfig {
  if (options === undefined) {
    const native: NativeClientOptions = {}
    setTls(native, undefined)
    setThreads(native, undefined, undefined)
    return {
      native,
      baseUrl: null,
      headers: [],
      breaker: breakerSettings(undefined),
      bulkhead: null,
      hooks: null,
      undiciChannels: true,
      resolver: null,
      cookieJar: null,
    }
  }
  const o = record(options, 'options', CLIENT_OPTIONS)
  const native: NativeClientOptions = {}
  setTimeouts(native, o.timeout, 'timeout')
  setLimits(native, o.limits)
  setTls(native, o.tls)
  if (o.http2 !== undefined) native.http2 = bool(o.http2, 'http2')
  if (o.http2PriorKnowledge !== undefined) {
    native.http2PriorKnowledge = bool(o.http2PriorKnowledge, 'http2PriorKnowledge')
  }
  if (o.decompress !== undefined) native.decompress = bool(o.decompress, 'decompress')
  if (o.maxDecodedBodySize !== undefined) {
    native.maxDecodedBodySize = byteSize(o.maxDecodedBodySize, 'maxDecodedBodySize', MAX_BYTES)
  }
  if (o.maxHeaderSize !== undefined) {
    native.maxHeaderSize = byteSize(o.maxHeaderSize, 'maxHeaderSize', MAX_U32)
  }
  if (o.maxHeaderCount !== undefined) {
    native.maxHeaderCount = count(o.maxHeaderCount, 'maxHeaderCount', 1)
  }
  if (o.redirect !== undefined) native.redirect = redirectMode(o.redirect, 'redirect')
  if (o.maxRedirects !== undefined) native.maxRedirects = count(o.maxRedirects, 'maxRedirects', 0)
  if (o.httpsOnly !== undefined) native.httpsOnly = bool(o.httpsOnly, 'httpsOnly')
  if (o.userAgent !== undefined) native.userAgent = userAgent(o.userAgent)
  setThreads(native, o.workerThreads, o.http2Lanes)
  setRetry(native, o.retry)
  setRateLimit(native, o.rateLimit)
  Object.assign(native, proxyOptions(o.proxy))
  const resolver = setDns(native, o)
  const jar = cookieJarSetting(o.cookieJar)
  if (jar === 'engine') native.cookieJar = true
  if (o.socketPath !== undefined) native.socketPath = socketPath(o.socketPath)
  return {
    native,
    baseUrl: o.baseUrl === undefined ? null : baseUrl(o.baseUrl),
    headers: lowerCaseNames(flattenHeaders(o.headers, 'headers')),
    breaker: breakerSettings(o.circuitBreaker),
    bulkhead: bulkheadSettings(o.bulkhead),
    hooks: normalizeHooks(o.hooks, 'hooks'),
    undiciChannels: o.undiciChannels === undefined || bool(o.undiciChannels, 'undiciChannels'),
    resolver,
    cookieJar: jar === 'engine' ? null : jar,
  }
}

/** `circuitBreaker`: on with the defaults unless `false`. */
function breakerSettings(value: unknown): BreakerSettings | null {
  if (value === false) return null
  const b = value === undefined ? {} : record(value, 'circuitBreaker', BREAKER_OPTIONS)
  const rate = b.failureRateThreshold
  if (rate !== undefined && (typeof rate !== 'number' || !(rate > 0 && rate <= 1))) {
    throw invalid('circuitBreaker.failureRateThreshold', 'a number above 0 and at most 1', rate)
  }
  const windowSize =
    b.windowSize === undefined ? 60_000 : duration(b.windowSize, 'circuitBreaker.windowSize')
  if (windowSize === 0) {
    throw invalid('circuitBreaker.windowSize', 'a positive number of milliseconds', b.windowSize)
  }
  return {
    failureThreshold: optionalCount(b.failureThreshold, 'circuitBreaker.failureThreshold', 1, 5),
    failureRateThreshold: rate === undefined ? null : rate,
    windowSize,
    minimumCalls: optionalCount(b.minimumCalls, 'circuitBreaker.minimumCalls', 1, 20),
    recoveryTimeout:
      b.recoveryTimeout === undefined
        ? 30_000
        : duration(b.recoveryTimeout, 'circuitBreaker.recoveryTimeout'),
    halfOpenMaxProbes: optionalCount(b.halfOpenMaxProbes, 'circuitBreaker.halfOpenMaxProbes', 1, 1),
    successThreshold: optionalCount(b.successThreshold, 'circuitBreaker.successThreshold', 1, 1),
    isFailure: isFunction(b.isFailure, 'circuitBreaker.isFailure')
      ? (b.isFailure as BreakerSettings['isFailure'])
      : defaultIsFailure,
    now: isFunction(b.now, 'circuitBreaker.now') ? (b.now as () => number) : Date.now,
  }
}

/** `bulkhead`: none unless given. */
function bulkheadSettings(value: unknown): BulkheadSettings | null {
  if (value === undefined || value === false) return null
  const b = record(value, 'bulkhead', BULKHEAD_OPTIONS)
  return {
    maxConcurrent: count(b.maxConcurrent, 'bulkhead.maxConcurrent', 1),
    maxQueue: optionalCount(b.maxQueue, 'bulkhead.maxQueue', 0, 0),
  }
}

/** Validates a `hooks` option (client or request); `null` when it holds no hook. */
export function normalizeHooks(value: unknown, name: string): HookLists | null {
  if (value === undefined) return null
  const given = record(value, name, new Set(HOOK_NAMES))
  const lists: Record<string, unknown[]> = {}
  let total = 0
  for (const key of HOOK_NAMES) {
    const list = given[key] ?? []
    if (!Array.isArray(list)) throw invalid(`${name}.${key}`, 'an array of functions', list)
    list.forEach((hook, i) => {
      if (typeof hook !== 'function') throw invalid(`${name}.${key}[${i}]`, 'a function', hook)
    })
    lists[key] = [...list]
    total += list.length
  }
  // Every list was checked to hold functions only.
  return total === 0 ? null : (lists as unknown as HookLists)
}

function optionalCount(value: unknown, name: string, min: 0 | 1, fallback: number): number {
  return value === undefined ? fallback : count(value, name, min)
}

/** Whether an optional function option was given; anything but a function throws. */
export function isFunction(value: unknown, name: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'function') throw invalid(name, 'a function', value)
  return true
}

/**
 * Per-request engine overrides, or `null` when the request has none (the common case, which
 * then allocates nothing).
 */
export function requestOverrides(
  timeout: unknown,
  redirect: unknown,
  maxRedirects: unknown,
  decompress: unknown,
  retry?: unknown,
): NativeRequestOptions | null {
  if (
    timeout === undefined &&
    redirect === undefined &&
    maxRedirects === undefined &&
    decompress === undefined &&
    retry === undefined
  ) {
    return null
  }
  const native: NativeRequestOptions = {}
  setTimeouts(native, timeout, 'timeout')
  if (redirect !== undefined) native.redirect = redirectMode(redirect, 'redirect')
  if (maxRedirects !== undefined) native.maxRedirects = count(maxRedirects, 'maxRedirects', 0)
  if (decompress !== undefined) native.decompress = bool(decompress, 'decompress')
  setRequestRetry(native, retry)
  return native
}

const REQUEST_RETRY_OPTIONS = new Set(['maxRetries', 'nonIdempotent'])

/** `retry: false`, or `{ maxRetries, nonIdempotent }` for one request. */
function setRequestRetry(target: NativeRequestOptions, value: unknown): void {
  if (value === undefined) return
  if (value === false) {
    target.maxRetries = 0
    return
  }
  const r = record(value, 'retry', REQUEST_RETRY_OPTIONS)
  if (r.maxRetries !== undefined) target.maxRetries = count(r.maxRetries, 'retry.maxRetries', 0)
  if (r.nonIdempotent !== undefined) {
    target.retryNonIdempotent = bool(r.nonIdempotent, 'retry.nonIdempotent')
  }
}

/** Validates a `signal` option. */
export function abortSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined || value === null) return undefined
  if (value instanceof AbortSignal) return value
  throw invalid(name, 'an AbortSignal', value)
}

/** The timeouts client and request options share. */
type NativeTimeouts = Pick<
  NativeRequestOptions,
  'connectTimeout' | 'readTimeout' | 'writeTimeout' | 'poolTimeout' | 'totalTimeout'
>

function setTimeouts(target: NativeTimeouts, value: unknown, name: string): void {
  if (value === undefined) return
  if (typeof value === 'number') {
    target.totalTimeout = duration(value, name)
    return
  }
  if (typeof value !== 'object' || value === null) {
    throw invalid(name, 'a number of milliseconds or an object of per-phase timeouts', value)
  }
  const t = record(value, name, TIMEOUT_OPTIONS)
  if (t.connect !== undefined) target.connectTimeout = duration(t.connect, `${name}.connect`)
  if (t.read !== undefined) target.readTimeout = duration(t.read, `${name}.read`)
  if (t.write !== undefined) target.writeTimeout = duration(t.write, `${name}.write`)
  if (t.pool !== undefined) target.poolTimeout = duration(t.pool, `${name}.pool`)
  if (t.total !== undefined) target.totalTimeout = duration(t.total, `${name}.total`)
}

function setRetry(target: NativeClientOptions, value: unknown): void {
  if (value === undefined) return
  if (value === false) {
    target.maxRetries = 0
    return
  }
  const r = record(value, 'retry', RETRY_OPTIONS)
  if (r.maxRetries !== undefined) target.maxRetries = count(r.maxRetries, 'retry.maxRetries', 0)
  if (r.methods !== undefined) {
    target.retryMethods = list(r.methods, 'retry.methods', (m, name) => {
      if (typeof m !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(m)) {
        throw invalid(name, 'an HTTP method name', m)
      }
      return m.toUpperCase()
    })
  }
  if (r.statuses !== undefined) {
    target.retryStatuses = list(r.statuses, 'retry.statuses', (code, name) => {
      if (!Number.isInteger(code) || (code as number) < 100 || (code as number) > 999) {
        throw invalid(name, 'an HTTP status code (100-999)', code)
      }
      return code as number
    })
  }
  if (r.networkErrors !== undefined) {
    target.retryNetworkErrors = bool(r.networkErrors, 'retry.networkErrors')
  }
  if (r.nonIdempotent !== undefined) {
    target.retryNonIdempotent = bool(r.nonIdempotent, 'retry.nonIdempotent')
  }
  if (r.idempotencyKey !== undefined) {
    target.retryIdempotencyKey = bool(r.idempotencyKey, 'retry.idempotencyKey')
  }
  if (r.maxRetryAfter !== undefined) {
    target.maxRetryAfter = duration(r.maxRetryAfter, 'retry.maxRetryAfter')
  }
  if (r.backoff !== undefined) {
    const b = record(r.backoff, 'retry.backoff', BACKOFF_OPTIONS)
    if (b.kind !== undefined) {
      if (typeof b.kind !== 'string' || !BACKOFF_KINDS.has(b.kind)) {
        throw invalid(
          'retry.backoff.kind',
          "'none', 'constant', 'exponential' or 'decorrelated-jitter'",
          b.kind,
        )
      }
      target.backoff = b.kind as NonNullable<NativeClientOptions['backoff']>
    }
    if (b.base !== undefined) target.backoffBase = duration(b.base, 'retry.backoff.base')
    if (b.max !== undefined) target.backoffMax = duration(b.max, 'retry.backoff.max')
  }
  if (r.budget === false) {
    target.retryBudget = false
  } else if (r.budget !== undefined) {
    const b = record(r.budget, 'retry.budget', BUDGET_OPTIONS)
    if (b.ratio !== undefined) {
      if (typeof b.ratio !== 'number' || !Number.isFinite(b.ratio) || b.ratio < 0) {
        throw invalid('retry.budget.ratio', 'a non-negative number', b.ratio)
      }
      target.retryBudgetRatio = b.ratio
    }
    if (b.minPerSecond !== undefined) {
      target.retryBudgetMinPerSecond = count(b.minPerSecond, 'retry.budget.minPerSecond', 0)
    }
    if (b.window !== undefined) {
      target.retryBudgetWindow = duration(b.window, 'retry.budget.window')
      if (target.retryBudgetWindow === 0) {
        throw invalid('retry.budget.window', 'a positive number of milliseconds', b.window)
      }
    }
  }
}

function setRateLimit(target: NativeClientOptions, value: unknown): void {
  if (value === undefined) return
  const r = record(value, 'rateLimit', RATE_LIMIT_OPTIONS)
  if (typeof r.rate !== 'number' || !Number.isFinite(r.rate) || r.rate <= 0) {
    throw invalid('rateLimit.rate', 'a positive number of requests per second', r.rate)
  }
  target.rateLimit = r.rate
  if (r.burst !== undefined) target.rateLimitBurst = count(r.burst, 'rateLimit.burst', 1)
  if (r.mode !== undefined) {
    if (r.mode !== 'wait' && r.mode !== 'reject') {
      throw invalid('rateLimit.mode', "'wait' or 'reject'", r.mode)
    }
    target.rateLimitWait = r.mode === 'wait'
  }
}

function list<T>(value: unknown, name: string, item: (v: unknown, name: string) => T): T[] {
  if (!Array.isArray(value)) throw invalid(name, 'an array', value)
  return value.map((v, i) => item(v, `${name}[${i}]`))
}

function setLimits(target: NativeClientOptions, value: unknown): void {
  if (value === undefined) return
  const l = record(value, 'limits', LIMITS_OPTIONS)
  if (l.maxConnections !== undefined) {
    target.maxConnections = count(l.maxConnections, 'limits.maxConnections', 1)
  }
  if (l.maxConnectionsPerHost !== undefined) {
    target.maxConnectionsPerHost = count(l.maxConnectionsPerHost, 'limits.maxConnectionsPerHost', 1)
  }
  if (l.keepAliveTimeout !== undefined) {
    target.keepAliveTimeout = duration(l.keepAliveTimeout, 'limits.keepAliveTimeout')
  }
  setPoolLifetime(target, l)
}

/** Idle caps and connection lifetime, validated into the engine's names. */
function setPoolLifetime(target: NativeClientOptions, l: Record<string, unknown>): void {
  if (l.maxIdleConnections !== undefined) {
    target.maxIdleConnections = count(l.maxIdleConnections, 'limits.maxIdleConnections', 0)
  }
  if (l.maxIdleConnectionsPerHost !== undefined) {
    target.maxIdleConnectionsPerHost = count(
      l.maxIdleConnectionsPerHost,
      'limits.maxIdleConnectionsPerHost',
      0,
    )
  }
  if (l.maxConnectionAge !== undefined) {
    target.maxConnectionAge = duration(l.maxConnectionAge, 'limits.maxConnectionAge')
  }
  if (l.maxRequestsPerConnection !== undefined) {
    target.maxRequestsPerConnection = count(
      l.maxRequestsPerConnection,
      'limits.maxRequestsPerConnection',
      1,
    )
  }
}

function setTls(target: NativeClientOptions, value: unknown): void {
  const t: Record<string, unknown> = value === undefined ? {} : record(value, 'tls', TLS_OPTIONS)
  if (t.rejectUnauthorized !== undefined) {
    target.tlsVerify = bool(t.rejectUnauthorized, 'tls.rejectUnauthorized')
  } else {
    const fromEnv = tlsVerifyFromEnv()
    if (fromEnv !== undefined) target.tlsVerify = fromEnv
  }
  if (t.ca !== undefined) {
    const list = Array.isArray(t.ca) ? t.ca : [t.ca]
    target.ca = list.map((pem, i) => pemText(pem, Array.isArray(t.ca) ? `tls.ca[${i}]` : 'tls.ca'))
  }
  if ((t.cert === undefined) !== (t.key === undefined)) {
    throw new InvalidArgumentError('tls.cert and tls.key must be given together')
  }
  if (t.cert !== undefined) target.cert = pemText(t.cert, 'tls.cert')
  if (t.key !== undefined) target.key = pemText(t.key, 'tls.key')
  setClientCertificateFile(target, t)
  if (t.useNodeExtraCaCerts !== undefined) {
    target.useNodeExtraCaCerts = bool(t.useNodeExtraCaCerts, 'tls.useNodeExtraCaCerts')
  }
  if (t.useSystemCa !== undefined) target.useSystemCa = bool(t.useSystemCa, 'tls.useSystemCa')
  if (t.servername !== undefined) target.serverName = serverName(t.servername)
  if (t.minVersion !== undefined) target.minTlsVersion = tlsVersion(t.minVersion, 'tls.minVersion')
  if (t.maxVersion !== undefined) target.maxTlsVersion = tlsVersion(t.maxVersion, 'tls.maxVersion')
  if (
    target.minTlsVersion !== undefined &&
    target.maxTlsVersion !== undefined &&
    target.minTlsVersion > target.maxTlsVersion
  ) {
    throw new InvalidArgumentError(
      `tls.minVersion ${target.minTlsVersion} is higher than tls.maxVersion ${target.maxTlsVersion}`,
    )
  }
  if (t.pins !== undefined) target.pins = pins(t.pins)
}

function serverName(value: unknown): string {
  // A DNS name or an IP address literal; the engine checks the exact syntax.
  if (typeof value !== 'string' || !/^[A-Za-z0-9.:_-]{1,253}$/.test(value)) {
    throw invalid('tls.servername', 'a host name such as "example.test"', value)
  }
  return value
}

function tlsVersion(value: unknown, name: string): TlsVersion {
  const version = TLS_VERSIONS.find((v) => v === value)
  if (version === undefined) throw invalid(name, "'TLSv1.2' or 'TLSv1.3'", value)
  return version
}

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/

function pins(value: unknown): Buffer[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid('tls.pins', 'a non-empty array of base64 SHA-256 digests', value)
  }
  return value.map((pin, i) => {
    if (typeof pin !== 'string' || !BASE64_SHA256.test(pin)) {
      throw invalid(
        `tls.pins[${i}]`,
        'a base64 SHA-256 digest of a public key (44 characters ending in =)',
        pin,
      )
    }
    return Buffer.from(pin, 'base64')
  })
}

function baseUrl(value: unknown): URL {
  let url: URL
  try {
    if (typeof value !== 'string' && !(value instanceof URL)) throw new TypeError()
    url = new URL(value)
  } catch {
    throw invalid('baseUrl', 'an absolute http: or https: URL', value)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid('baseUrl', 'an absolute http: or https: URL', value)
  }
  url.hash = ''
  url.search = ''
  if (!url.pathname.endsWith('/')) url.pathname += '/'
  return url
}

/** An object option with no unknown keys (typos fail loudly instead of being ignored). */
function record(value: unknown, name: string, known: Set<string>): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(name, 'an object', value)
  }
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      const prefix = name === 'options' ? '' : `${name}.`
      throw new InvalidArgumentError(
        `unknown option ${prefix}${key}; expected one of ${[...known].join(', ')}`,
      )
    }
  }
  return value as Record<string, unknown>
}

function duration(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(name, 'a non-negative finite number of milliseconds', value)
  }
  if (value > MAX_DURATION) throw invalid(name, `at most ${MAX_DURATION} milliseconds`, value)
  return Math.ceil(value)
}

function count(value: unknown, name: string, min: 0 | 1): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > MAX_COUNT) {
    const what = min === 0 ? 'a non-negative integer' : 'a positive integer'
    throw invalid(name, `${what} no larger than ${MAX_COUNT}`, value)
  }
  return value as number
}

function byteSize(value: unknown, name: string, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > max) {
    throw invalid(name, `a positive integer number of bytes no larger than ${max}`, value)
  }
  return value as number
}

function bool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalid(name, 'a boolean', value)
  return value
}

function redirectMode(value: unknown, name: string): NativeRedirect {
  if (value !== 'follow' && value !== 'manual' && value !== 'error') {
    throw invalid(name, "'follow', 'manual' or 'error'", value)
  }
  return value
}

function userAgent(value: unknown): string {
  if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
    throw invalid('userAgent', 'a non-empty string of visible ASCII characters', value)
  }
  return value
}

/** `workerThreads` and `http2Lanes`, each else its environment variable. */
function setThreads(native: NativeClientOptions, workerThreads: unknown, http2Lanes: unknown) {
  const workers = threadOption(workerThreads, 'workerThreads', 'HYPERHTTP_WORKER_THREADS', 1)
  if (workers !== undefined) native.workerThreads = workers
  const lanes = threadOption(http2Lanes, 'http2Lanes', 'HYPERHTTP_HTTP2_LANES', 0)
  if (lanes !== undefined) native.http2Lanes = lanes
}

/**
 * Engine threads from the option, else from the environment variable `variable` (decimal
 * digits; empty counts as not set), else `undefined` (the engine's default). A bad variable is
 * refused like a bad option, by its name: a typo must not quietly run on the default.
 */
function threadOption(
  value: unknown,
  name: string,
  variable: string,
  min: number,
): number | undefined {
  if (value !== undefined) return threadCount(value, name, min)
  const text = process.env[variable]
  if (text === undefined || text === '') return undefined
  return threadCount(/^\d{1,7}$/.test(text) ? Number(text) : text, variable, min)
}

/** A number of engine threads from `min` to {@link MAX_WORKER_THREADS}. */
function threadCount(value: unknown, name: string, min: number): number {
  if (
    !Number.isInteger(value) ||
    (value as number) < min ||
    (value as number) > MAX_WORKER_THREADS
  ) {
    throw invalid(name, `an integer from ${min} to ${MAX_WORKER_THREADS}`, value)
  }
  return value as number
}

/** `tls.pfx` and `tls.passphrase`, as in Node's `tls.connect`. */
function setClientCertificateFile(target: NativeClientOptions, t: Record<string, unknown>): void {
  if (t.pfx !== undefined) {
    if (!(t.pfx instanceof Uint8Array)) {
      throw invalid('tls.pfx', 'a Buffer or Uint8Array holding a PKCS#12 (.pfx, .p12) file', t.pfx)
    }
    if (t.cert !== undefined) {
      throw new InvalidArgumentError(
        'tls.pfx and tls.cert/tls.key are two ways to give the client certificate: give one',
      )
    }
    target.pfx = Buffer.from(t.pfx.buffer, t.pfx.byteOffset, t.pfx.byteLength)
  }
  if (t.passphrase !== undefined) {
    if (typeof t.passphrase !== 'string') {
      throw invalid('tls.passphrase', 'a string', t.passphrase)
    }
    target.passphrase = t.passphrase
  }
}

function pemText(value: unknown, name: string): string {
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')
  }
  throw invalid(name, 'a PEM string or Buffer', value)
}

// DNS and connections.

const DNS_CACHE_OPTIONS = new Set(['ttl', 'maxEntries'])
/** Node's floor for `autoSelectFamilyAttemptTimeout`. */
const MIN_ATTEMPT_DELAY = 10

/**
 * `lookup`, `addressFilter`, `dnsCache`, `autoSelectFamily`, `autoSelectFamilyAttemptTimeout`
 * and `localAddress`; the hooks' answerer, or `null` when there is no hook.
 */
function setDns(target: NativeClientOptions, o: Record<string, unknown>): Resolver | null {
  const lookup = isFunction(o.lookup, 'lookup')
  const filter = isFunction(o.addressFilter, 'addressFilter')
  if (lookup) target.lookup = true
  if (filter) target.addressFilter = true
  if (o.dnsCache === false) target.dnsCache = false
  else if (o.dnsCache !== undefined) {
    const c = record(o.dnsCache, 'dnsCache', DNS_CACHE_OPTIONS)
    if (c.ttl !== undefined) {
      target.dnsCacheTtl = duration(c.ttl, 'dnsCache.ttl')
      if (target.dnsCacheTtl === 0) {
        throw invalid(
          'dnsCache.ttl',
          'a positive number of milliseconds (false turns the cache off)',
          c.ttl,
        )
      }
    }
    if (c.maxEntries !== undefined) {
      target.dnsCacheMaxEntries = count(c.maxEntries, 'dnsCache.maxEntries', 1)
    }
  }
  if (o.autoSelectFamily !== undefined) {
    target.autoSelectFamily = bool(o.autoSelectFamily, 'autoSelectFamily')
  }
  if (o.autoSelectFamilyAttemptTimeout !== undefined) {
    const delay = duration(o.autoSelectFamilyAttemptTimeout, 'autoSelectFamilyAttemptTimeout')
    if (delay < MIN_ATTEMPT_DELAY) {
      throw invalid(
        'autoSelectFamilyAttemptTimeout',
        `at least ${MIN_ATTEMPT_DELAY} milliseconds`,
        delay,
      )
    }
    target.autoSelectFamilyAttemptTimeout = delay
  }
  if (o.localAddress !== undefined) {
    if (typeof o.localAddress !== 'string' || isIP(o.localAddress) === 0) {
      throw invalid('localAddress', 'an IPv4 or IPv6 address', o.localAddress)
    }
    target.localAddress = o.localAddress
  }
  if (!lookup && !filter) return null
  return new Resolver(
    lookup ? (o.lookup as LookupFunction) : null,
    filter ? (o.addressFilter as AddressFilter) : null,
  )
}

/** A Unix socket path or Windows named pipe name (`\\.\pipe\name`). */
function socketPath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\0')) {
    throw invalid('socketPath', 'a non-empty path without NUL characters', value)
  }
  return value
}
