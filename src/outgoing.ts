import type { EncodedBody } from './body.js'
import type { HeaderParts } from './headers.js'
import type { NativeRequestOptions } from './native.js'
import type { ProgressCallbacks } from './progress.js'
import type { Response } from './response.js'

/** A request ready for the engine. */
export interface Outgoing {
  method: string
  url: string
  /** Flat `[name, value, ...]`: the request's own, sent before the chosen `defaults`. */
  headers: string[]
  /** The client's default headers this request sends after `headers` (see {@link HeaderParts}). */
  defaults: string[] | null
  mask: number
  body: EncodedBody
  options: NativeRequestOptions | null
  signal: AbortSignal | undefined
  /** Upload and download progress callbacks (`Client` requests only). */
  progress?: ProgressCallbacks | null
}

/** Starts requests with the signature of `Dispatcher#send`. */
export interface Sender {
  send(request: Outgoing, fetchMode: boolean): Promise<Response>
}

/**
 * How a request path builds its headers from the headers a caller gave, once the body's
 * content type is known; `context` is what it needs besides (the client's config).
 */
export type HeaderAssembly<C> = (
  context: C,
  init: unknown,
  contentType: string | null,
) => HeaderParts

/**
 * The one place a request path (`Client` methods, `fetch`, hooks) turns its validated parts
 * into an {@link Outgoing}: at once when the body is ready, as a promise when it is still
 * being read (Blob, FormData). Errors of `assemble` throw, or reject that promise.
 */
export function outgoing<C>(
  assemble: HeaderAssembly<C>,
  context: C,
  method: string,
  url: string,
  headers: unknown,
  body: EncodedBody | Promise<EncodedBody>,
  options: NativeRequestOptions | null,
  signal: AbortSignal | undefined,
  progress: ProgressCallbacks | null = null,
): Outgoing | Promise<Outgoing> {
  if (body instanceof Promise) {
    return body.then((ready) =>
      assembled(
        assemble(context, headers, ready.type),
        method,
        url,
        ready,
        options,
        signal,
        progress,
      ),
    )
  }
  return assembled(
    assemble(context, headers, body.type),
    method,
    url,
    body,
    options,
    signal,
    progress,
  )
}

function assembled(
  parts: HeaderParts,
  method: string,
  url: string,
  body: EncodedBody,
  options: NativeRequestOptions | null,
  signal: AbortSignal | undefined,
  progress: ProgressCallbacks | null,
): Outgoing {
  return {
    method,
    url,
    headers: parts.own,
    defaults: parts.defaults,
    mask: parts.mask,
    body,
    options,
    signal,
    progress,
  }
}
