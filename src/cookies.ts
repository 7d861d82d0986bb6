import { invalid } from './errors.js'
import type { CookieJar } from './types.js'

/**
 * `cookieJar` of `new Client()`: `true` is the engine's own jar (`'engine'`), an object with
 * the tough-cookie interface is kept in JavaScript, `false` or absent means none.
 */
export function cookieJarSetting(value: unknown): 'engine' | CookieJar | null {
  if (value === undefined || value === false) return null
  if (value === true) return 'engine'
  const jar = value as Partial<CookieJar> | null
  if (
    typeof jar === 'object' &&
    jar !== null &&
    typeof jar.getCookieString === 'function' &&
    typeof jar.setCookie === 'function'
  ) {
    return jar as CookieJar
  }
  throw invalid(
    'cookieJar',
    'true, false or an object with getCookieString(url) and setCookie(cookie, url) (a tough-cookie CookieJar)',
    value,
  )
}

/**
 * Stores `setCookies` (received from `from`) in `jar`. A cookie the jar refuses (its
 * `setCookie` throws or rejects: another domain, a public suffix) is dropped, as user agents
 * drop it.
 */
export async function storeCookies(
  jar: CookieJar,
  from: string,
  setCookies: string[],
): Promise<void> {
  for (const cookie of setCookies) {
    try {
      await jar.setCookie(cookie, from)
    } catch {
      // Refused by the jar's rules: the cookie is not stored.
    }
  }
}

/**
 * One COOKIE record answered: the `Set-Cookie` values of the response before this hop
 * (`received`, NUL-joined, from `from`) go into `jar`, then `jar` gives the `Cookie` value for
 * `url` (empty when none).
 */
export async function hopCookies(
  jar: CookieJar,
  url: string,
  from: string | undefined,
  received: string | undefined,
): Promise<string> {
  if (from !== undefined && received !== undefined) {
    await storeCookies(jar, from, received.split('\0'))
  }
  const cookie: unknown = await jar.getCookieString(url)
  if (typeof cookie !== 'string') throw invalid('cookieJar.getCookieString()', 'a string', cookie)
  return cookie
}

/** The values of header `name` (lower-case) in a raw NUL-joined header string. */
export function rawHeaderValues(raw: string, name: string): string[] {
  const values: string[] = []
  if (raw === '') return values
  const fields = raw.split('\0')
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === name) values.push(fields[i + 1] as string)
  }
  return values
}
