import { inspect } from 'node:util'
import { afterEach, expect, it } from 'vitest'
import { fetch, Response as HyperResponse } from '../dist/esm/index.js'
import { SMALL_BODY, startBodyServer } from './helpers/response-bodies.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const platform = globalThis.Response.prototype

/** The object in `value`'s prototype chain that owns `key`. */
function ownerOf(value: object, key: PropertyKey): object | null {
  for (let at: object | null = value; at !== null; at = Object.getPrototypeOf(at)) {
    if (Object.hasOwn(at, key)) return at
  }
  return null
}

it('is recognised as a Response, and so are its clones', async () => {
  const server = await startBodyServer()
  for (const path of ['/small', '/held']) {
    const res = await fetch(`${server.url}${path}`)
    for (const candidate of [res, res.clone(), res.clone().clone()]) {
      expect(candidate).toBeInstanceOf(globalThis.Response)
      expect(candidate).toBeInstanceOf(HyperResponse)
      expect(Object.prototype.toString.call(candidate)).toBe('[object Response]')
    }
    server.release()
  }
})

it('answers every member of the platform Response prototype itself, without a throw', async () => {
  const server = await startBodyServer()
  const keys = Reflect.ownKeys(platform).filter((key) => key !== 'constructor')
  // The surface this test is about; a Node version adding members makes the loop cover them.
  expect(keys).toEqual(
    expect.arrayContaining(['status', 'body', 'bodyUsed', 'clone', 'json', 'bytes', 'formData']),
  )
  for (const key of keys) {
    const res = await fetch(`${server.url}/small`)
    // Compared as a boolean: printing the platform prototype would call its getters.
    expect(ownerOf(res, key) === platform, String(key)).toBe(false)
    const value = (res as unknown as Record<PropertyKey, unknown>)[key]
    if (typeof value !== 'function') continue
    const result = Reflect.apply(value, res, [0, {}])
    // json() and formData() of a text/plain body reject, as the platform's do; what must not
    // happen is the platform's brand check refusing our object.
    if (result instanceof Promise) {
      await result.catch((error) =>
        expect(String(error)).not.toMatch(/private member|Illegal invocation/),
      )
    }
  }
})

it('can be passed to the platform constructor, which copies status, statusText and headers', async () => {
  const server = await startBodyServer()
  const res = await fetch(`${server.url}/small`)
  const copy = new globalThis.Response(res.body, res)
  expect(copy.status).toBe(200)
  expect(copy.statusText).toBe('OK')
  expect(copy.headers.get('content-type')).toBe('text/plain')
  expect(await copy.text()).toBe(SMALL_BODY)
})

/** The statics hyperhttp's Response inherits from the platform's (TypeScript does not see them). */
const statics = HyperResponse as unknown as typeof globalThis.Response

it('inherits the platform statics, which make platform responses', async () => {
  const json = statics.json({ a: 1 }, { status: 201 })
  expect(json).toBeInstanceOf(globalThis.Response)
  expect(json.status).toBe(201)
  expect(json.headers.get('content-type')).toBe('application/json')
  expect(await json.json()).toEqual({ a: 1 })
  expect(statics.error().type).toBe('error')
  expect(statics.redirect('http://127.0.0.1/next', 307).headers.get('location')).toBe(
    'http://127.0.0.1/next',
  )
})

it('shows the fields console.log shows for a platform Response', async () => {
  const server = await startBodyServer()
  const res = await fetch(`${server.url}/small`)
  const shown = inspect(res)
  expect(shown).toMatch(/^Response \{/)
  for (const field of ['status: 200', "statusText: 'OK'", 'bodyUsed: false', 'ok: true']) {
    expect(shown).toContain(field)
  }
})
