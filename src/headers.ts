import { InvalidArgumentError } from './errors.js'

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
  for (let i = 0; i < headers.length; i += 2) headers[i] = headers[i].toLowerCase()
  return headers
}

/**
 * The header list sent with one request: the per-request headers, then every default header
 * whose name the request did not set, then `content-type` when the body implies one and no
 * header set it. Returns `defaults` itself when there is nothing to add (it is never mutated).
 */
export function requestHeaders(
  defaults: string[],
  init: unknown,
  contentType: string | null,
): string[] {
  let out: string[]
  if (init === undefined || init === null) {
    if (contentType === null || hasHeader(defaults, 'content-type', defaults.length)) {
      return defaults
    }
    out = defaults.slice()
  } else {
    out = flattenHeaders(init, 'headers')
    const own = out.length
    for (let i = 0; i < defaults.length; i += 2) {
      const name = defaults[i]
      if (!hasHeader(out, name, own)) out.push(name, defaults[i + 1])
    }
  }
  if (contentType !== null && !hasHeader(out, 'content-type', out.length)) {
    out.push('content-type', contentType)
  }
  return out
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
