import { asciiLowerCase } from './ascii.js'
import { InvalidArgumentError } from './errors.js'
import { HEADER_SET_FIELDS } from './native.js'

/**
 * Flattens any `HeadersInit` (a `Headers`, an array or iterable of pairs, or a record) into
 * `[name0, value0, name1, value1, ...]`. Record entries whose value is `undefined` are
 * skipped, so optional headers can be written inline.
 */
export function flattenHeaders(init: unknown, option: string): string[] {
  const out: string[] = []
  if (init === undefined || init === null) return out
  if (typeof init !== 'object') {
    throw new InvalidArgumentError(
      `${option} must be a Headers, an array of [name, value] pairs or an object, got ${typeof init}`,
    )
  }
  if (init instanceof Headers) {
    for (const [name, value] of init) out.push(name, value)
  } else if (Symbol.iterator in init) {
    for (const pair of init as Iterable<unknown>) pushPair(out, pair, option)
  } else {
    const record = init as Record<string, unknown>
    for (const name of Object.keys(record)) {
      const value = record[name]
      if (value !== undefined) out.push(name, String(value))
    }
  }
  return out
}

function pushPair(out: string[], pair: unknown, option: string): void {
  if (!Array.isArray(pair) || pair.length !== 2) {
    throw new InvalidArgumentError(`${option} entries must be [name, value] pairs`)
  }
  out.push(String(pair[0]), String(pair[1]))
}

/** Lower-cases the names of a flat header list in place (default headers, normalized once). */
export function lowerCaseNames(headers: string[]): string[] {
  for (let i = 0; i < headers.length; i += 2) headers[i] = asciiLowerCase(headers[i])
  return headers
}

/**
 * A request's headers with a client's default headers kept apart, so that the defaults, parsed
 * by the engine once (`NativeClient#headerSet`), need not cross with every request: `own` (the
 * request's headers, then `content-type` when the body implies one and neither they nor the
 * chosen defaults set it) and, of `defaults`, the fields the request sends after `own`: bit
 * `i` of `mask` for field `i`. A mask chooses among the first {@link HEADER_SET_FIELDS}
 * fields; chosen fields past them are sent as `own`.
 */
export interface HeaderParts {
  own: string[]
  /** Flat `[name, value, ...]`, names lower-cased; never mutated. */
  defaults: string[] | null
  mask: number
}

/**
 * The headers of one request over a client's `defaults`: the request's own headers, then
 * every default header whose name the request did not set (whatever its case), then
 * `content-type` when the body implies one and no header set it. See {@link HeaderParts}.
 */
export function requestHeaderParts(
  defaults: string[],
  init: unknown,
  contentType: string | null,
): HeaderParts {
  const own = init === undefined || init === null ? [] : flattenHeaders(init, 'headers')
  const given = own.length
  const fields = defaults.length / 2
  let mask = 0
  let typed = hasHeader(own, 'content-type', given)
  for (let i = 0; i < fields; i++) {
    const name = defaults[2 * i] as string
    if (hasHeader(own, name, given)) continue
    if (i < HEADER_SET_FIELDS) mask |= 1 << i
    else own.push(name, defaults[2 * i + 1] as string)
    if (name === 'content-type') typed = true
  }
  if (contentType !== null && !typed) own.push('content-type', contentType)
  return { own, defaults: mask === 0 ? null : defaults, mask: mask >>> 0 }
}

/**
 * One flat header list: `own`, then the fields of `defaults` whose bit is set in `mask` (see
 * {@link HeaderParts}).
 */
export function expandHeaders(own: string[], defaults: string[] | null, mask: number): string[] {
  if (defaults === null) return own
  const out = own.slice()
  for (let i = 0; i < HEADER_SET_FIELDS && 2 * i < defaults.length; i++) {
    if ((mask >>> i) & 1) out.push(defaults[2 * i] as string, defaults[2 * i + 1] as string)
  }
  return out
}

/** {@link requestHeaderParts} as one flat list. */
export function requestHeaders(
  defaults: string[],
  init: unknown,
  contentType: string | null,
): string[] {
  const { own, defaults: chosen, mask } = requestHeaderParts(defaults, init, contentType)
  return expandHeaders(own, chosen, mask)
}

/** Whether `headers[0..end)` sets `lowerName`, compared case-insensitively. */
export function hasHeader(headers: string[], lowerName: string, end: number): boolean {
  for (let i = 0; i < end; i += 2) {
    const name = headers[i]
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return true
  }
  return false
}

/** The first value of `lowerName` in a flat header list, or `null`. */
export function headerValue(headers: string[], lowerName: string): string | null {
  for (let i = 0; i < headers.length; i += 2) {
    if ((headers[i] as string).toLowerCase() === lowerName) return headers[i + 1] as string
  }
  return null
}

/** `headers` without any `lowerName` field; `headers` itself when it has none. */
export function withoutHeader(headers: string[], lowerName: string): string[] {
  if (!hasHeader(headers, lowerName, headers.length)) return headers
  const out: string[] = []
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string
    if (name.length !== lowerName.length || name.toLowerCase() !== lowerName) {
      out.push(name, headers[i + 1] as string)
    }
  }
  return out
}

/** Builds a `Headers` from the engine's raw `name\0value\0name\0value` string. */
export function parseRawHeaders(raw: string): Headers {
  const headers = new Headers()
  if (raw.length === 0) return headers
  const parts = raw.split('\0')
  for (let i = 0; i + 1 < parts.length; i += 2) {
    try {
      headers.append(parts[i], parts[i + 1])
    } catch {
      // A value the Headers class refuses (characters beyond Latin-1) is left out rather
      // than making every header unreadable.
    }
  }
  return headers
}
