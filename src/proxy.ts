import { InvalidArgumentError, invalid } from './errors.js'
import { flattenHeaders } from './headers.js'
import type { NativeClientOptions } from './native.js'

/** The engine's proxy fields of {@link NativeClientOptions}. */
export type NativeProxyOptions = Pick<
  NativeClientOptions,
  'proxyHttp' | 'proxyHttps' | 'proxyHeaders' | 'noProxy'
>

const PROXY_OBJECT_OPTIONS = new Set(['url', 'headers'])
const EXPECTED = "a proxy URL (string or URL), { url, headers }, 'env' or false"

/**
 * Validates the `proxy` client option. The engine parses the URLs (scheme, host, port,
 * credentials) and refuses a bad one when the client is created; this checks the shape and
 * reads the environment for `'env'`.
 */
export function proxyOptions(value: unknown): NativeProxyOptions {
  if (value === undefined || value === false) return {}
  if (value === 'env') return proxyFromEnv(process.env)
  if (typeof value === 'string' || value instanceof URL) return explicit(value, [])
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('proxy', EXPECTED, value)
  }
  for (const key of Object.keys(value)) {
    if (!PROXY_OBJECT_OPTIONS.has(key)) {
      throw new InvalidArgumentError(`unknown option proxy.${key}; expected one of url, headers`)
    }
  }
  const { url, headers } = value as { url?: unknown; headers?: unknown }
  if (typeof url !== 'string' && !(url instanceof URL)) {
    throw new InvalidArgumentError('proxy.url must be a proxy URL (string or URL)')
  }
  return explicit(url, flattenHeaders(headers, 'proxy.headers'))
}

function explicit(url: string | URL, headers: string[]): NativeProxyOptions {
  const href = String(url)
  return headers.length === 0
    ? { proxyHttp: href, proxyHttps: href }
    : { proxyHttp: href, proxyHttps: href, proxyHeaders: headers }
}

/**
 * The environment's proxies, as curl reads them: `https_proxy` for `https:` targets,
 * `http_proxy` for `http:` targets, `all_proxy` for both when the specific one is unset, and
 * `no_proxy`; each name in lower case first, then upper case (the lower-case one wins). An
 * empty value counts as unset; a value without a scheme is an `http:` proxy.
 *
 * @example
 * ```ts
 * proxyFromEnv({ HTTPS_PROXY: 'proxy.corp:3128', NO_PROXY: '.corp' })
 * // { proxyHttps: 'http://proxy.corp:3128', noProxy: '.corp' }
 * ```
 */
export function proxyFromEnv(env: NodeJS.ProcessEnv): NativeProxyOptions {
  const read = (name: string): string | undefined =>
    env[name.toLowerCase()] || env[name.toUpperCase()] || undefined
  const all = read('all_proxy')
  const options: NativeProxyOptions = {}
  const http = read('http_proxy') ?? all
  const https = read('https_proxy') ?? all
  if (http !== undefined) options.proxyHttp = withScheme(http)
  if (https !== undefined) options.proxyHttps = withScheme(https)
  const noProxy = read('no_proxy')
  if (noProxy !== undefined) options.noProxy = noProxy
  return options
}

function withScheme(url: string): string {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url) ? url : `http://${url}`
}

/**
 * A request's own `proxy` is refused rather than ignored: the proxy belongs to the client,
 * whose pool keys connections by origin only.
 */
export function refuseRequestProxy(options: object): void {
  if ((options as { proxy?: unknown }).proxy !== undefined) {
    throw new InvalidArgumentError(
      'proxy is a client option, not a request option (pooled connections belong to one route); use another Client for another proxy or for direct requests',
    )
  }
}

/**
 * Node's rule for its own `fetch`: environment proxies only when `NODE_USE_ENV_PROXY=1` or
 * the process runs with `--use-env-proxy` (in its arguments or `NODE_OPTIONS`).
 */
export function fetchUsesEnvProxy(): boolean {
  if (process.env.NODE_USE_ENV_PROXY === '1') return true
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
  return flags.includes('--use-env-proxy')
}
