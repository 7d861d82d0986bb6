import { type EncodedBody, encodeBody, encodeJson } from './body.js'
import { InvalidArgumentError } from './errors.js'
import type { NativeRequestOptions } from './native.js'
import { abortSignal, requestOverrides } from './options.js'
import { refuseRequestProxy } from './proxy.js'
import type { RequestOptions } from './types.js'

/** What every `Client` request path derives the same way from a request's options. */
export interface RequestParts {
  signal: AbortSignal | undefined
  /** Engine overrides, or `null` when the request has none. */
  options: NativeRequestOptions | null
  /** The encoded body; a promise for bodies read asynchronously (Blob, FormData). */
  body: EncodedBody | Promise<EncodedBody>
}

/** A request has `body` or `json`, never both. */
export function assertOneBody(o: Pick<RequestOptions, 'body' | 'json'>): void {
  if (o.body !== undefined && o.json !== undefined) {
    throw new InvalidArgumentError('body and json cannot both be given')
  }
}

/** Validates and encodes the parts of a request that do not depend on its URL or headers. */
export function requestParts(o: RequestOptions): RequestParts {
  assertOneBody(o)
  refuseRequestProxy(o)
  return {
    signal: abortSignal(o.signal, 'signal'),
    options: requestOverrides(o.timeout, o.redirect, o.maxRedirects, o.decompress, o.retry),
    body: o.json === undefined ? encodeBody(o.body) : encodeJson(o.json),
  }
}
