import { asciiUpperCase } from './ascii.js'
import { InvalidArgumentError, invalid } from './errors.js'
import { type HeaderParts, requestHeaderParts, requestHeaders } from './headers.js'
import type { ClientConfig } from './options.js'
import { type Outgoing, outgoing } from './outgoing.js'
import type { Pipeline } from './pipeline.js'
import { assertOneBody, requestParts } from './request-parts.js'
import { Response } from './response.js'
import type { HookLists, HookRequest, RequestConfig } from './types.js'
import { resolveUrl } from './url.js'

/** The client's hooks followed by the request's. */
export function mergeHooks(client: HookLists | null, request: HookLists | null): HookLists | null {
  if (request === null) return client
  if (client === null) return request
  return {
    beforeRequest: [...client.beforeRequest, ...request.beforeRequest],
    beforeRetry: [...client.beforeRetry, ...request.beforeRetry],
    afterResponse: [...client.afterResponse, ...request.afterResponse],
    beforeError: [...client.beforeError, ...request.beforeError],
  }
}

/** The headers hooks see: the request's over the client's defaults, as a `Headers`. */
export function hookHeaders(defaults: string[], init: unknown): Headers {
  const flat = requestHeaders(defaults, init, null)
  const headers = new Headers()
  try {
    for (let i = 0; i < flat.length; i += 2) headers.append(flat[i], flat[i + 1])
  } catch (cause) {
    throw new InvalidArgumentError(`headers: ${(cause as Error).message}`, { cause })
  }
  return headers
}

/**
 * One `Client` request with hooks: beforeRequest, then the breaker, bulkhead and engine
 * (with `beforeRetry` between attempts when there are such hooks), then afterResponse or
 * beforeError.
 */
export async function sendWithHooks(
  pipeline: Pipeline,
  config: ClientConfig,
  first: HookRequest,
  hooks: HookLists,
): Promise<Response> {
  let request = first
  for (const hook of hooks.beforeRequest) {
    const result = await hook(request)
    const answer = asResponse(result, request.url)
    if (answer !== null) return afterResponse(answer, request, hooks)
    if (result !== undefined && result !== null) request = replacement(result, config)
  }
  let response: Response
  try {
    response = await send(pipeline, config, request, hooks)
  } catch (error) {
    let current = error
    for (const hook of hooks.beforeError) {
      if (!(current instanceof Error)) break
      current = (await hook(current, request)) ?? current
    }
    throw current
  }
  return afterResponse(response, request, hooks)
}

async function send(
  pipeline: Pipeline,
  config: ClientConfig,
  request: HookRequest,
  hooks: HookLists,
): Promise<Response> {
  const out = await hookedOutgoing(config, request)
  if (hooks.beforeRetry.length === 0) return pipeline.send(out, false)
  return pipeline.sendWithRetryHook(out, async (info) => {
    for (const hook of hooks.beforeRetry) await hook(request, info)
    return hookedOutgoing(config, request)
  })
}

async function afterResponse(
  first: Response,
  request: HookRequest,
  hooks: HookLists,
): Promise<Response> {
  let response = first
  for (const hook of hooks.afterResponse) {
    const result = await hook(response, request)
    if (result === undefined || result === null) continue
    const replaced = asResponse(result, request.url)
    if (replaced === null) {
      throw invalid('the result of an afterResponse hook', 'a Response or nothing', result)
    }
    response = replaced
  }
  return response
}

/** Validates and encodes a request after the hooks had their say. */
async function hookedOutgoing(config: ClientConfig, request: HookRequest): Promise<Outgoing> {
  if (typeof request.method !== 'string') throw invalid('method', 'a string', request.method)
  assertOneBody(request)
  const url = resolveUrl(config.baseUrl, request.url, request.query)
  const { signal, options, body, progress } = requestParts(request)
  const method = asciiUpperCase(request.method)
  return outgoing(ownHeaders, null, method, url, request.headers, body, options, signal, progress)
}

/** Hooks hold the client's defaults in `request.headers` already. */
function ownHeaders(_context: null, init: unknown, contentType: string | null): HeaderParts {
  return requestHeaderParts([], init, contentType)
}

/** A request config returned by a beforeRequest hook, in the shape hooks see. */
function replacement(value: unknown, config: ClientConfig): HookRequest {
  if (typeof value !== 'object' || value === null) {
    throw invalid(
      'the result of a beforeRequest hook',
      'a request config, a Response or nothing',
      value,
    )
  }
  const next = value as RequestConfig
  const method = next.method ?? 'GET'
  if (typeof method !== 'string') throw invalid('method', 'a string', method)
  return {
    ...next,
    method: asciiUpperCase(method),
    url: resolveUrl(config.baseUrl, next.url, next.query),
    query: undefined,
    headers: next.headers instanceof Headers ? next.headers : hookHeaders([], next.headers),
  }
}

/** A hook's result as a hyperhttp `Response`, or `null` when it is not a response. */
function asResponse(value: unknown, url: string): Response | null {
  if (value instanceof Response) return value
  if (!(value instanceof globalThis.Response)) return null
  const raw: string[] = []
  for (const [name, field] of value.headers) raw.push(name, field)
  const head = {
    status: value.status,
    statusText: value.statusText,
    rawHeaders: raw.join('\0'),
    url: value.url === '' ? url : value.url,
    redirected: value.redirected,
    attempts: 0,
  }
  return new Response(head, value.body)
}
