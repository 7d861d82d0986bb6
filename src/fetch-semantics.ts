import { type EncodedBody, encodeBody, isStreamBody } from './body.js'
import { InvalidArgumentError } from './errors.js'
import { requestHeaders } from './headers.js'
import type { NativeRequestOptions } from './native.js'
import { abortSignal, type ClientConfig, requestOverrides } from './options.js'
import type { Sender } from './pipeline.js'
import type { Response } from './response.js'
import type { FetchInit } from './types.js'
import { resolveUrl } from './url.js'

const NO_INIT: FetchInit = {}
/** Methods fetch upper-cases; any other method is sent exactly as written. */
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])

/**
 * Runs `fetch(input, init)` on a client: platform fetch semantics (a relative URL resolves
 * against the client's baseUrl). Invalid input rejects with a TypeError whose cause is an
 * InvalidArgumentError; engine failures with `TypeError('fetch failed')`; an abort with
 * `signal.reason`.
 */
export function fetchWith(
  sender: Sender,
  config: ClientConfig,
  input: unknown,
  init: FetchInit | undefined,
): Promise<Response> {
  if (input instanceof Request) return fetchRequest(sender, config, input, init)
  try {
    const o = init ?? NO_INIT
    const url = resolveUrl(config.baseUrl, input instanceof URL ? input : String(input), undefined)
    const method = o.method === undefined ? 'GET' : fetchMethod(o.method)
    return start(sender, config, method, url, o.headers, o.body, o, o.signal)
  } catch (error) {
    return Promise.reject(fetchInputError(error))
  }
}

/** A `Request` as input: init fields override its own. Its body is read into memory. */
async function fetchRequest(
  sender: Sender,
  config: ClientConfig,
  request: Request,
  init: FetchInit | undefined,
): Promise<Response> {
  const o = init ?? NO_INIT
  let body: unknown = o.body
  let response: Promise<Response>
  try {
    if (body === undefined && request.body !== null) {
      body = Buffer.from(await request.arrayBuffer())
    }
    const url = resolveUrl(config.baseUrl, request.url, undefined)
    const method = o.method === undefined ? request.method : fetchMethod(o.method)
    const headers = o.headers === undefined ? request.headers : o.headers
    const signal = o.signal === undefined ? request.signal : o.signal
    response = start(sender, config, method, url, headers, body, o, signal)
  } catch (error) {
    throw fetchInputError(error)
  }
  return response
}

/** Validates fetch-only rules and dispatches; throws synchronously on bad input. */
function start(
  sender: Sender,
  config: ClientConfig,
  method: string,
  url: string,
  headers: unknown,
  body: unknown,
  init: FetchInit,
  signalInit: unknown,
): Promise<Response> {
  if (body !== undefined && body !== null) {
    if (method === 'GET' || method === 'HEAD') {
      throw new InvalidArgumentError('Request with GET/HEAD method cannot have body.')
    }
    if (init.duplex !== 'half' && isStreamBody(body)) {
      throw new InvalidArgumentError('RequestInit: duplex option is required when sending a body.')
    }
  }
  const signal = abortSignal(signalInit, 'signal')
  const options = requestOverrides(init.timeout, init.redirect, init.maxRedirects, init.decompress)
  const encoded = encodeBody(body)
  if (!(encoded instanceof Promise)) {
    const all = requestHeaders(config.headers, headers, encoded.type)
    return sender.send(method, url, all, encoded, options, signal, true)
  }
  return encoded.then((ready) =>
    sendEncoded(sender, config, method, url, headers, ready, options, signal),
  )
}

function sendEncoded(
  sender: Sender,
  config: ClientConfig,
  method: string,
  url: string,
  headers: unknown,
  body: EncodedBody,
  options: NativeRequestOptions | null,
  signal: AbortSignal | undefined,
): Promise<Response> {
  let all: string[]
  try {
    all = requestHeaders(config.headers, headers, body.type)
  } catch (error) {
    return Promise.reject(fetchInputError(error))
  }
  return sender.send(method, url, all, body, options, signal, true)
}

function fetchMethod(method: unknown): string {
  const name = String(method)
  const upper = name.toUpperCase()
  return NORMALIZED_METHODS.has(upper) ? upper : name
}

/** fetch reports bad input as a TypeError, keeping the typed error as its cause. */
function fetchInputError(error: unknown): unknown {
  return error instanceof InvalidArgumentError
    ? new TypeError(error.message, { cause: error })
    : error
}
