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
export type { BreakerOutcome, CircuitOriginSnapshot, CircuitState } from './breaker.js'
export {
  CircuitBreakerEvent,
  type CircuitBreakerListener,
  type CircuitBreakerSnapshot,
  CircuitBreakers,
} from './breaker-manager.js'
export { Client } from './client.js'
export {
  DiagnosticsRequest,
  DiagnosticsResponse,
  type RequestCreateMessage,
  type RequestEndMessage,
  type RequestErrorMessage,
  type RequestHeadersMessage,
} from './diagnostics.js'
export {
  AbortError,
  BodyLimitError,
  BulkheadFullError,
  type BulkheadFullErrorOptions,
  CircuitBreakerOpenError,
  type CircuitBreakerOpenErrorOptions,
  ClientClosedError,
  ConnectError,
  HyperHttpError,
  type HyperHttpErrorOptions,
  InvalidArgumentError,
  ProtocolError,
  ProxyError,
  type ProxyErrorOptions,
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
export type { RetryInfo } from './retry.js'
export type {
  // DNS and connections:
  AddressFilter,
  AfterResponseHook,
  BeforeErrorHook,
  BeforeRequestHook,
  BeforeRetryHook,
  BulkheadOptions,
  CircuitBreakerOptions,
  ClientOptions,
  DnsCacheOptions,
  FetchInit,
  HeadersInit,
  HookRequest,
  Hooks,
  LimitsOptions,
  LookupFunction,
  ProxyOption,
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
  TlsVersion,
} from './types.js'
