/**
 * Importing this module replaces `globalThis.fetch` with hyperhttp's {@link fetch}; `Request`,
 * `Headers`, `Response` and `FormData` stay the platform's. {@link unregister} puts the
 * platform's fetch back.
 *
 * @example
 * ```sh
 * node --import hyperhttp/register app.js
 * ```
 * ```ts
 * import { unregister } from 'hyperhttp/register'
 * await fetch('http://127.0.0.1:3000/') // served by hyperhttp
 * unregister() // the platform's fetch again
 * ```
 * @packageDocumentation
 */
import { fetch } from './fetch.js'
import { PLATFORM_FETCH } from './platform-fetch.js'

const holder = globalThis as { [PLATFORM_FETCH]?: typeof globalThis.fetch }

// hyperhttp's Response is its own class, so its signature differs from the global fetch's type.
const hyperhttpFetch = fetch as unknown as typeof globalThis.fetch

/** Whether `globalThis.fetch` is currently hyperhttp's. */
export function isRegistered(): boolean {
  return holder[PLATFORM_FETCH] !== undefined
}

/**
 * Sets `globalThis.fetch` to hyperhttp's fetch. Importing `hyperhttp/register` already did it;
 * call this again after {@link unregister}. Calling it twice changes nothing.
 *
 * @example
 * ```ts
 * import { register, unregister } from 'hyperhttp/register'
 * unregister()
 * register()
 * ```
 */
export function register(): void {
  if (holder[PLATFORM_FETCH] === undefined) holder[PLATFORM_FETCH] = globalThis.fetch
  globalThis.fetch = hyperhttpFetch
}

/**
 * Restores the `globalThis.fetch` that was there before hyperhttp registered (the platform's).
 * Does nothing when hyperhttp is not registered.
 *
 * @example
 * ```ts
 * import { unregister } from 'hyperhttp/register'
 * unregister()
 * ```
 */
export function unregister(): void {
  const platformFetch = holder[PLATFORM_FETCH]
  if (platformFetch === undefined) return
  globalThis.fetch = platformFetch
  delete holder[PLATFORM_FETCH]
}

register()
