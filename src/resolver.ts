import type { LookupAddress } from 'node:dns'
import { isIP } from 'node:net'
import { describe } from './describe.js'
import { InvalidArgumentError } from './errors.js'
import type { NativeClient } from './native.js'
import type { AddressFilter, LookupFunction } from './types.js'

/**
 * Thrown values kept for the ERROR records that name them. A question whose request never
 * reports its error (cancelled, or a connection raced by another) leaves its entry behind,
 * so only the newest are kept.
 */
const KEPT_CAUSES = 64

/**
 * Answers the engine's LOOKUP and FILTER questions (crates/node/README.md) with the client's
 * `lookup` and `addressFilter`, and keeps what they threw for the request's error `cause`.
 */
export class Resolver {
  readonly #lookup: LookupFunction | null
  readonly #filter: AddressFilter | null
  readonly #causes = new Map<number, unknown>()

  constructor(lookup: LookupFunction | null, filter: AddressFilter | null) {
    this.#lookup = lookup
    this.#filter = filter
  }

  /** LOOKUP `token`: calls `lookup(hostname, { all: true, family }, callback)` once. */
  lookup(native: NativeClient, token: number, hostname: string, family: 0 | 4 | 6): void {
    const lookup = this.#lookup
    let answered = false
    const fail = (error: unknown): void => {
      if (answered) return
      answered = true
      this.#keep(token, error)
      native.answerLookup(token, null, error instanceof Error ? error.message : String(error))
    }
    const callback = (
      error: Error | null | undefined,
      address?: string | readonly LookupAddress[],
    ): void => {
      const addresses = error ? error : lookupAddresses(address)
      if (!Array.isArray(addresses)) {
        fail(addresses)
        return
      }
      if (answered) return
      answered = true
      native.answerLookup(token, addresses, null)
    }
    try {
      if (lookup === null) throw new Error('the engine asked for a lookup the client does not have')
      lookup(hostname, { all: true, family }, callback)
    } catch (error) {
      fail(error)
    }
  }

  /** FILTER `token`: every address of `hostname` about to be dialed, joined by `,`. */
  filter(native: NativeClient, token: number, hostname: string, list: string): void {
    const addresses = list.split(',')
    let refused: number | null = null
    let i = 0
    try {
      const filter = this.#filter
      if (filter === null) throw new Error('the engine asked a filter the client does not have')
      for (; i < addresses.length && refused === null; i++) {
        const address = addresses[i] as string
        const allowed = filter(address, isIP(address) as 4 | 6, hostname)
        if (allowed === true) continue
        refused = i
        if (allowed !== false) {
          this.#keep(
            token,
            new InvalidArgumentError(
              `addressFilter must return a boolean, got ${describe(allowed)}`,
            ),
          )
        }
      }
    } catch (error) {
      refused = i
      this.#keep(token, error)
    }
    native.answerFilter(token, refused)
  }

  /** What the hook behind answer `token` threw, if anything (once). */
  takeCause(token: number): unknown {
    const cause = this.#causes.get(token)
    this.#causes.delete(token)
    return cause
  }

  #keep(token: number, cause: unknown): void {
    if (this.#causes.size >= KEPT_CAUSES) {
      const oldest = this.#causes.keys().next().value
      if (oldest !== undefined) this.#causes.delete(oldest)
    }
    this.#causes.set(token, cause)
  }
}

/** The addresses of a `lookup` callback, single (`address, family`) or `all` shaped. */
function lookupAddresses(
  address: string | readonly LookupAddress[] | undefined,
): string[] | InvalidArgumentError {
  const list = typeof address === 'string' ? [address] : address
  if (!Array.isArray(list)) {
    return new InvalidArgumentError(
      `lookup must call back with an address or an array of { address, family }, got ${describe(address)}`,
    )
  }
  const out: string[] = []
  for (const entry of list as unknown[]) {
    const value = typeof entry === 'string' ? entry : (entry as LookupAddress | null)?.address
    if (typeof value !== 'string' || isIP(value) === 0) {
      return new InvalidArgumentError(
        `lookup must call back with IP addresses, got ${describe(value)}`,
      )
    }
    out.push(value)
  }
  return out
}
