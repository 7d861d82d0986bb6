import type { EncodedBody } from './body.js'
import type { NativeRequestOptions } from './native.js'
import type { Response } from './response.js'

/** A request ready for the engine. */
export interface Outgoing {
  method: string
  url: string
  /** Flat `[name, value, ...]`. */
  headers: string[]
  body: EncodedBody
  options: NativeRequestOptions | null
  signal: AbortSignal | undefined
}

/** Starts requests with the signature of `Dispatcher#send`. */
export interface Sender {
  send(
    method: string,
    url: string,
    headers: string[],
    body: EncodedBody,
    options: NativeRequestOptions | null,
    signal: AbortSignal | undefined,
    fetchMode: boolean,
  ): Promise<Response>
}
