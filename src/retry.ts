import { STATUS_CODES } from 'node:http'
import { fromNative, type HyperHttpError } from './errors.js'
import type { Outgoing } from './outgoing.js'
import { Response } from './response.js'

// Retries run in the engine (crates/core/src/attempts.rs): it decides whether and when to
// retry, keeps the client's one budget and waits on its own timers. A request with
// `beforeRetry` hooks pauses there after each wait with a RETRY event; this module turns that
// event into what the hooks see.

/** What `beforeRetry` hooks learn about the attempt that failed. */
export interface RetryInfo {
  /** The attempt about to be made (2 for the first retry). */
  attempt: number
  /** Milliseconds waited before this attempt. */
  delay: number
  /** The retryable response of the previous attempt (its body already discarded). */
  response: Response | undefined
  /** The retryable error of the previous attempt. */
  error: HyperHttpError | undefined
}

/**
 * Answers the engine's pause before a retry with the request to send next; a rejection ends
 * the request with that reason.
 */
export type RetryHandler = (info: RetryInfo) => Promise<Outgoing>

/** The RETRY record at `events[i]` (see crates/node/README.md); `url` is the request's. */
export function retryInfo(events: unknown[], i: number, url: string): RetryInfo {
  const attempt = events[i + 2] as number
  const delay = events[i + 3] as number
  const status = events[i + 4] as number | undefined
  const at = events[i + 6] as string | undefined
  if (status !== undefined) {
    // The engine already discarded the body; the HTTP version (and so HTTP/2's empty
    // statusText) does not cross with a RETRY.
    const head = events[i + 5] as string
    const response = new Response(
      {
        status,
        statusText: STATUS_CODES[status] ?? '',
        rawHeaders: head,
        url: at ?? url,
        redirected: at !== undefined,
        attempts: attempt - 1,
      },
      null,
    )
    return { attempt, delay, response, error: undefined }
  }
  const error = fromNative(
    events[i + 7] as string,
    events[i + 8] as string,
    events[i + 9] as string | undefined,
    at ?? url,
    attempt - 1,
  )
  return { attempt, delay, response: undefined, error }
}
