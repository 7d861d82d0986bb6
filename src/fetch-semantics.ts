import { asciiUpperCase } from './ascii.js'
import { encodeBody, isStreamBody } from './body.js'
import { InvalidArgumentError } from './errors.js'
import {
  flattenHeaders,
  type HeaderParts,
  hasHeader,
  headerValue,
  requestHeaderParts,
  withoutHeader,
} from './headers.js'
import { fetchLocal, isLocalUrl } from './local-url.js'
import { abortSignal, type ClientConfig, requestOverrides } from './options.js'
import { outgoing, type Sender } from './outgoing.js'
import type { Response } from './response.js'
import type { FetchInit } from './types.js'
import { resolveUrl } from './url.js'

const NO_INIT: FetchInit = {}
/** Methods fetch upper-cases; any other method is sent exactly as written. */
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])
/** Methods fetch refuses (the client may still send TRACE). */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])
/** Each client's default headers as fetch sends them (see `fetchHeaders`). */
const fetchDefaults = new WeakMap<ClientConfig, string[]>()

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
  if (init?.dispatcher != null) {
    const error = new InvalidArgumentError(
      "init.dispatcher is undici's, and a Client makes its own connections: set proxy or tls on the Client (hyperhttp's global fetch hands such calls to Node's fetch)",
    )
    return Promise.reject(fetchInputError(error))
  }
  if (input instanceof Request) return fetchRequest(sender, config, input, init)
  try {
    const o = init ?? NO_INIT
    const href = input instanceof URL ? input.href : String(input)
    const method = o.method === undefined ? 'GET' : fetchMethod(o.method)
    if (isLocalUrl(href)) return local(href, method, o.headers, o.signal)
    const url = resolveUrl(config.baseUrl, input instanceof URL ? input : href, undefined)
    refuseCredentials(url, href)
    return start(sender, config, method, url, o.headers, o.body, o, o.signal)
  } catch (error) {
    return Promise.reject(fetchInputError(error))
  }
}

/**
 * A `Request` as input: init fields override its own. Its body is read into memory. Its
 * redirect mode counts unless it is the default `'follow'` (which leaves the client's own).
 */
async function fetchRequest(
  sender: Sender,
  config: ClientConfig,
  request: Request,
  init: FetchInit | undefined,
): Promise<Response> {
  let o = init ?? NO_INIT
  if (o.redirect === undefined && request.redirect !== 'follow') {
    o = { ...o, redirect: request.redirect }
  }
  let body: unknown = o.body
  let response: Promise<Response>
  try {
    const method = o.method === undefined ? request.method : fetchMethod(o.method)
    const signal = o.signal === undefined ? request.signal : o.signal
    if (isLocalUrl(request.url)) {
      return local(request.url, method, o.headers ?? request.headers, signal)
    }
    if (body === undefined && request.body !== null) {
      body = Buffer.from(await request.arrayBuffer())
    }
    const url = resolveUrl(config.baseUrl, request.url, undefined)
    const headers = o.headers === undefined ? request.headers : o.headers
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
  const request = outgoing(
    fetchHeaders,
    config,
    method,
    url,
    headers,
    encodeBody(body),
    options,
    signal,
  )
  if (request instanceof Promise) return request.then((ready) => sender.send(ready, true))
  return sender.send(request, true)
}

function fetchMethod(method: unknown): string {
  const name = String(method)
  const upper = asciiUpperCase(name)
  if (FORBIDDEN_METHODS.has(upper)) {
    throw new InvalidArgumentError(`'${name}' HTTP method is unsupported.`)
  }
  return NORMALIZED_METHODS.has(upper) ? upper : name
}

/**
 * The headers fetch sends: the client's defaults, with `accept: *\/*` unless they set an
 * accept header, then the request's own. A `Host` header is ignored, as the platform fetch
 * ignores it (the client's other methods send it). Bad headers throw as fetch reports them.
 */
function fetchHeaders(
  config: ClientConfig,
  init: unknown,
  contentType: string | null,
): HeaderParts {
  try {
    return fetchHeaderList(config, init, contentType)
  } catch (error) {
    throw fetchInputError(error)
  }
}

function fetchHeaderList(
  config: ClientConfig,
  init: unknown,
  contentType: string | null,
): HeaderParts {
  let defaults = fetchDefaults.get(config)
  if (defaults === undefined) {
    defaults = withoutHeader(config.headers, 'host')
    if (!hasHeader(defaults, 'accept', defaults.length)) defaults = [...defaults, 'accept', '*/*']
    fetchDefaults.set(config, defaults)
  }
  const parts = requestHeaderParts(defaults, stringValues(init), contentType)
  if (init !== undefined && init !== null) parts.own = withoutHeader(parts.own, 'host')
  return parts
}

/**
 * fetch turns every value of a headers record into a string, `undefined` included (it sends
 * `content-type: undefined`); the Client skips `undefined` values instead.
 */
function stringValues(init: unknown): unknown {
  if (typeof init !== 'object' || init === null) return init
  if (init instanceof Headers || Symbol.iterator in init) return init
  const record = init as Record<string, unknown>
  for (const name of Object.keys(record)) {
    if (record[name] === undefined) {
      return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, String(value)]))
    }
  }
  return init
}

/**
 * fetch refuses credentials in the URL with the platform's message, which names the URL as
 * given; a password in it is masked, since error messages end up in logs.
 */
function refuseCredentials(href: string, input: string): void {
  if (!href.includes('@')) return
  const url = new URL(href)
  if (url.username === '' && url.password === '') return
  let named = input
  if (url.password !== '') {
    url.password = '***'
    named = url.href
  }
  throw new InvalidArgumentError(
    `Request cannot be constructed from a URL that includes credentials: ${named}`,
  )
}

/** A data: or blob: URL, served without the network; failures are `TypeError('fetch failed')`. */
function local(
  href: string,
  method: string,
  headers: unknown,
  signalInit: unknown,
): Promise<Response> {
  const signal = abortSignal(signalInit, 'signal')
  if (signal?.aborted) return Promise.reject(signal.reason)
  const range = headerValue(flattenHeaders(headers, 'headers'), 'range')
  return fetchLocal(href, method, range).catch((error: unknown) => {
    throw error instanceof InvalidArgumentError
      ? new TypeError('fetch failed', { cause: error })
      : error
  })
}

/** fetch reports bad input as a TypeError, keeping the typed error as its cause. */
function fetchInputError(error: unknown): unknown {
  return error instanceof InvalidArgumentError
    ? new TypeError(error.message, { cause: error })
    : error
}
