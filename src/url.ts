import { describe } from './describe.js'
import { InvalidArgumentError } from './errors.js'

const HAS_SCHEME = /^[a-zA-Z][a-zA-Z\d+.-]*:/
const PROTOCOL_RELATIVE = /^[\\/]{2}/
const LEADING_SLASH = /^[\\/]/

/**
 * The last string resolved without a query, its base and its `href`. A client usually sends
 * to one URL over and over (polling, an RPC endpoint), and comparing the string with the last
 * one costs far less than parsing it again (as `LastUrl` does in the engine). A base is the
 * client's own copy, never changed after its options are read; a URL that fails is not kept.
 */
let last: { base: URL | null; input: string; href: string } | null = null

/**
 * The absolute URL (`href`) of a request. Without a base the URL must be absolute. With a
 * base, a relative URL resolves below the base path (a leading `/` does not climb to the
 * root), and nothing may leave the base origin.
 */
export function resolveUrl(base: URL | null, input: unknown, query: unknown): string {
  const plain = query === undefined || query === null
  if (plain && last !== null && last.input === input && last.base === base) return last.href
  let url: URL
  if (input instanceof URL) {
    url = plain ? input : new URL(input.href)
  } else if (typeof input === 'string') {
    url = parse(base, input)
  } else {
    throw new InvalidArgumentError(`url must be a string or URL, got ${describe(input)}`)
  }
  if (base !== null && url.origin !== base.origin) {
    throw new InvalidArgumentError(
      `url ${describe(String(input))} is outside the origin of baseUrl ${base.origin}`,
    )
  }
  if (!plain) appendQuery(url, query)
  else if (typeof input === 'string') last = { base, input, href: url.href }
  return url.href
}

function parse(base: URL | null, input: string): URL {
  if (base === null || HAS_SCHEME.test(input)) return absolute(input, base === null)
  if (PROTOCOL_RELATIVE.test(input)) {
    throw new InvalidArgumentError(
      `url ${describe(input)} is protocol-relative and would leave the origin of baseUrl ${base.origin}`,
    )
  }
  try {
    return new URL(input.replace(LEADING_SLASH, ''), base)
  } catch (cause) {
    throw new InvalidArgumentError(`url ${describe(input)} is not a valid URL`, { cause })
  }
}

function absolute(input: string, withoutBase: boolean): URL {
  try {
    return new URL(input)
  } catch (cause) {
    const hint =
      withoutBase && !HAS_SCHEME.test(input) ? ' (the client has no baseUrl to resolve it)' : ''
    throw new InvalidArgumentError(`url ${describe(input)} is not a valid absolute URL${hint}`, {
      cause,
    })
  }
}

function appendQuery(url: URL, query: unknown): void {
  const extra = searchParams(query).toString()
  if (extra === '') return
  url.search = url.search.length > 1 ? `${url.search.slice(1)}&${extra}` : extra
}

function searchParams(query: unknown): URLSearchParams {
  if (query instanceof URLSearchParams) return query
  if (typeof query === 'string') return new URLSearchParams(query)
  if (typeof query !== 'object' || query === null) {
    throw new InvalidArgumentError(
      `query must be a string, URLSearchParams, pairs or an object, got ${describe(query)}`,
    )
  }
  const params = new URLSearchParams()
  if (Symbol.iterator in query) {
    for (const pair of query as Iterable<unknown>) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new InvalidArgumentError('query entries must be [name, value] pairs')
      }
      appendValue(params, String(pair[0]), pair[1])
    }
    return params
  }
  const entries = query as Record<string, unknown>
  for (const name of Object.keys(entries)) {
    const value = entries[name]
    if (Array.isArray(value)) {
      for (const item of value) appendValue(params, name, item)
    } else {
      appendValue(params, name, value)
    }
  }
  return params
}

function appendValue(params: URLSearchParams, name: string, value: unknown): void {
  if (value !== undefined && value !== null) params.append(name, String(value))
}

/**
 * The origin (scheme, host, port) of a serialized `href`, as `URL#origin` spells it, without
 * parsing the URL again: `href` comes from `URL#href`, so default ports are already dropped.
 */
export function originOf(href: string): string {
  const start = href.startsWith('https://') ? 8 : href.startsWith('http://') ? 7 : -1
  if (start === -1) return new URL(href).origin
  // A serialized http(s) URL always has a path, and its userinfo has `/` and `@` escaped.
  const end = href.indexOf('/', start)
  const userinfo = href.lastIndexOf('@', end)
  const hostStart = userinfo >= start ? userinfo + 1 : start
  return href.slice(0, start) + href.slice(hostStart, end)
}

/**
 * `href` without its user name and password: what a response's `url` and an error's `url` show
 * (the engine sends them as `Authorization: Basic`, and fetch's `Response#url` never has them).
 */
export function withoutCredentials(href: string): string {
  const start = href.startsWith('https://') ? 8 : href.startsWith('http://') ? 7 : -1
  if (start === -1) return href
  // As in `originOf`: in a serialized http(s) URL an `@` before the path ends the userinfo.
  const end = href.indexOf('/', start)
  const userinfo = href.lastIndexOf('@', end)
  return userinfo >= start ? href.slice(0, start) + href.slice(userinfo + 1) : href
}
