import type { Dispatcher } from './dispatcher.js'

/**
 * Each client's dispatcher, so that `hyperhttp/testing` can attach a client to a mock server
 * without a public option on `Client`. Weak: a dropped client is collected as before.
 */
const dispatchers = new WeakMap<object, Dispatcher>()

/** Records `client`'s dispatcher (called once, by the `Client` constructor). */
export function registerDispatcher(client: object, dispatcher: Dispatcher): void {
  dispatchers.set(client, dispatcher)
}

/** The dispatcher of a `Client`, or `undefined` for anything else. */
export function dispatcherOf(client: object): Dispatcher | undefined {
  return dispatchers.get(client)
}
