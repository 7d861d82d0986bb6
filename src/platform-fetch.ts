import { fetchUsesEnvProxy } from './proxy.js'
import type { FetchInit } from './types.js'

/**
 * Where Node's own fetch is kept while hyperhttp's is registered. A process can load both the
 * ESM and the CommonJS build (or one of them twice through different paths); the fetch found
 * before the first registration is kept on the global so that any copy's `unregister()`
 * restores the platform's, not another copy's.
 */
export const PLATFORM_FETCH = Symbol.for('hyperhttp.register.platformFetch')

/** Where undici (npm 8, Node 26) keeps the global dispatcher, and where older versions do. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.2')
const LEGACY_GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1')

type Holder = { [key: symbol]: unknown }
const holder = globalThis as unknown as Holder
/** The global fetch when hyperhttp loaded: Node's, unless a copy of hyperhttp registered. */
const fetchAtLoad: typeof globalThis.fetch | undefined = globalThis.fetch

/** The reasons already warned about, once per process each. */
const warned = new Set<string>()

/**
 * Why a `fetch` call must be made by Node's own fetch, or `undefined` for hyperhttp's engine:
 * the app gave the call an undici `dispatcher`, or installed one with undici's
 * `setGlobalDispatcher` (a `ProxyAgent`, a `MockAgent`, an Agent with interceptors: anything
 * but a plain `Agent`, which undici installs by itself when it loads, and the `EnvHttpProxyAgent`
 * Node installs for its environment proxy setting). hyperhttp cannot use an undici
 * dispatcher; Node's fetch honours it, so such a call keeps the behaviour the app was written
 * for instead of silently going direct.
 */
export function undiciDispatcherReason(init: FetchInit | undefined): string | undefined {
  if (init?.dispatcher != null) return 'init.dispatcher'
  const installed = holder[GLOBAL_DISPATCHER] ?? holder[LEGACY_GLOBAL_DISPATCHER]
  if (installed == null) return undefined
  const dispatcher = installed as { constructor?: { name?: unknown }; dispatch?: unknown }
  const kind = dispatcher.constructor?.name
  if (kind === 'Agent') {
    // `agent.compose(interceptors)` is a Proxy of the Agent whose `dispatch` runs them.
    if (dispatcher.dispatch === Object.getPrototypeOf(dispatcher)?.dispatch) return undefined
    return 'a global Agent with interceptors (undici setGlobalDispatcher)'
  }
  // What Node installs for NODE_USE_ENV_PROXY=1 or --use-env-proxy: the shared client follows
  // the same environment itself (`sharedClient`).
  if (kind === 'EnvHttpProxyAgent' && fetchUsesEnvProxy()) return undefined
  return `a global ${String(kind)} (undici setGlobalDispatcher)`
}

/**
 * Sends `fetch(input, init)` with Node's own fetch (the one hyperhttp's registration replaced),
 * warning once per reason that hyperhttp's engine is not used for it.
 */
export function platformFetch(
  reason: string,
  input: string | URL | Request,
  init: FetchInit | undefined,
): Promise<globalThis.Response> {
  if (!warned.has(reason)) {
    warned.add(reason)
    process.emitWarning(
      `fetch: requests with ${reason} are sent by Node's own fetch, which honours undici dispatchers; hyperhttp's engine serves the others. For hyperhttp, configure a Client (proxy, tls) or use hyperhttp/testing instead of the dispatcher.`,
      { code: 'HYPERHTTP_UNDICI_DISPATCHER' },
    )
  }
  const nodeFetch = (holder[PLATFORM_FETCH] ?? fetchAtLoad) as typeof globalThis.fetch | undefined
  if (nodeFetch === undefined) {
    return Promise.reject(
      new TypeError(`fetch: ${reason} needs Node's own fetch, and there is none`),
    )
  }
  return nodeFetch(input, init as RequestInit)
}
