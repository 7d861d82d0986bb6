/**
 * hyperhttp: a drop-in async HTTP client for Node.js whose engine is Rust.
 *
 * @example
 * ```ts
 * import { Client, fetch } from 'hyperhttp'
 * ```
 * @packageDocumentation
 */
export type { RequestBody } from './body.js'
export { Client } from './client.js'
export {
  AbortError,
  BodyLimitError,
  ClientClosedError,
  ConnectError,
  HyperHttpError,
  type HyperHttpErrorOptions,
  InvalidArgumentError,
  ProtocolError,
  RateLimitError,
  RedirectError,
  RequestBodyError,
  TimeoutError,
  type TimeoutErrorOptions,
  type TimeoutPhase,
  TlsError,
} from './errors.js'
export { fetch } from './fetch.js'
export { Response } from './response.js'
export type {
  ClientOptions,
  FetchInit,
  HeadersInit,
  LimitsOptions,
  QueryInit,
  QueryValue,
  RateLimitOptions,
  RedirectMode,
  RequestConfig,
  RequestOptions,
  RetryOptions,
  Timeout,
  TimeoutOptions,
  TlsOptions,
} from './types.js'
