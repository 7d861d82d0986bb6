import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import {
  expectCleanWire,
  expectTypedRejection,
  fuzzParameters,
  fuzzTimeout,
  nastyString,
  settle,
  startWireServer,
  type WireServer,
} from './helpers/fuzz.js'

// Property: `new Client(options)` with any options object either works or throws an
// InvalidArgumentError naming an option; a client that was built, and any per-request options,
// give a response or a typed rejection, with clean bytes on the wire.

let server: WireServer

beforeAll(async () => {
  server = await startWireServer()
})

afterAll(async () => {
  await server.close()
})

/** Values of every type, with the edge cases of numbers and the option strings. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, true, false, 0, -0, 1, -1, 0.5, 2 ** 31, 2 ** 32, 2 ** 53),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_VALUE, 1e-9),
  fc.integer({ min: -10, max: 100_000 }),
  fc.double(),
  fc.constantFrom('follow', 'manual', 'error', 'wait', 'reject', 'exponential', 'none', ''),
  nastyString(12),
  fc.bigInt(),
  fc.constant(Symbol('option')),
  fc.constant(() => undefined),
  fc.constant(Object.create(null)),
  fc.constant(new Date(0)),
  fc.array(fc.oneof(fc.integer(), nastyString(6)), { maxLength: 3 }),
  fc.object({ maxDepth: 1, maxKeys: 2 }),
)

/** An object with a random subset of `keys` (and sometimes an unknown key), or any value. */
function group(keys: string[], value: fc.Arbitrary<unknown> = anyValue): fc.Arbitrary<unknown> {
  const known = Object.fromEntries(keys.map((key) => [key, value]))
  return fc.oneof(
    { weight: 4, arbitrary: fc.record(known, { requiredKeys: [] }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.record(known, { requiredKeys: [] }), nastyString(8), anyValue)
        .map(([o, key, v]) => ({ ...o, [key]: v })),
    },
    { weight: 1, arbitrary: anyValue },
  )
}

/**
 * The option names `new Client()` accepts at `path` (`[]` for the top level), read from its
 * refusal of an unknown one, so that the properties follow `src/options.ts` without a copy.
 */
function optionNames(...path: string[]): string[] {
  const unknown = path.reduceRight<object>((inner, key) => ({ [key]: inner }), { '?': 1 })
  try {
    void new Client(unknown as ConstructorParameters<typeof Client>[0]).close()
  } catch (error) {
    const names = /; expected one of (.+)$/.exec((error as Error).message)?.[1]
    if (names !== undefined) return names.split(', ')
  }
  throw new Error(`new Client() did not list the options at ${path.join('.') || 'the top level'}`)
}

const retry = group(optionNames('retry').filter((name) => name !== 'backoff' && name !== 'budget'))
const withNested = fc
  .tuple(retry, group(optionNames('retry', 'backoff')), group(optionNames('retry', 'budget')))
  .map(([r, backoff, budget]) =>
    typeof r === 'object' && r !== null ? { ...r, backoff, budget } : r,
  )

const headersOption = fc.oneof(
  fc.dictionary(nastyString(8), nastyString(16), { maxKeys: 3 }),
  fc.array(fc.tuple(nastyString(8), nastyString(16)), { maxLength: 3 }),
  anyValue,
)

const baseUrl = fc.oneof(
  fc.constantFrom('http://127.0.0.1:1/api', 'https://127.0.0.1/', 'ftp://x/', '/relative'),
  nastyString(20).map((s) => `http://127.0.0.1/${s}`),
  anyValue,
)

const options: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.record(
      {
        baseUrl,
        headers: headersOption,
        timeout: fc.oneof(group(optionNames('timeout')), anyValue),
        limits: group(optionNames('limits')),
        http2: anyValue,
        http2PriorKnowledge: anyValue,
        tls: group(optionNames('tls')),
        decompress: anyValue,
        maxDecodedBodySize: anyValue,
        maxHeaderSize: anyValue,
        redirect: anyValue,
        maxRedirects: anyValue,
        httpsOnly: anyValue,
        retry: withNested,
        rateLimit: group(optionNames('rateLimit')),
        circuitBreaker: group(optionNames('circuitBreaker')),
        bulkhead: group(optionNames('bulkhead')),
        hooks: group(optionNames('hooks')),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anyValue },
)

/** Every own key of `value`, at any depth. */
function keysOf(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value !== 'object' || value === null) return out
  for (const key of Object.keys(value)) {
    out.add(key)
    keysOf((value as Record<string, unknown>)[key], out)
  }
  return out
}

const CONSTRUCTOR_RUNS = 5000

it(
  'new Client(options) works or throws an InvalidArgumentError naming an option',
  () => {
    fc.assert(
      fc.property(options, (o) => {
        let client: Client
        try {
          client = new Client(o as ConstructorParameters<typeof Client>[0])
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(InvalidArgumentError)
          const message = (error as Error).message
          // An empty key is named by the empty place in `unknown option ; expected one of ...`.
          const named = ['options', ...keysOf(o)].some((key) =>
            key === '' ? message.startsWith('unknown option') : message.includes(key),
          )
          expect(named, `${message} names none of the options given`).toBe(true)
          return
        }
        void client.close()
      }),
      fuzzParameters(CONSTRUCTOR_RUNS),
    )
  },
  fuzzTimeout(CONSTRUCTOR_RUNS, 2),
)

const requestOptions = fc.record(
  {
    headers: headersOption,
    query: fc.oneof(fc.dictionary(nastyString(6), nastyString(10), { maxKeys: 3 }), anyValue),
    timeout: fc.oneof(group(['connect', 'read', 'write', 'pool', 'total']), anyValue),
    redirect: anyValue,
    maxRedirects: anyValue,
    decompress: anyValue,
    retry: group(['maxRetries', 'nonIdempotent']),
    signal: fc.oneof(anyValue, fc.constant(AbortSignal.abort())),
    json: fc.oneof(fc.jsonValue(), anyValue),
    hooks: group(['beforeRequest', 'afterResponse']),
  },
  { requiredKeys: [] },
)

const REQUEST_RUNS = 1000

it(
  'a built client answers any per-request options with a response or a typed error',
  async () => {
    await fc.assert(
      fc.asyncProperty(options, requestOptions, async (o, perRequest) => {
        // Most random options are refused (the property above); those use a default client.
        let client: Client
        try {
          client = new Client(o as ConstructorParameters<typeof Client>[0])
        } catch {
          client = new Client()
        }
        server.reset()
        try {
          const call = Promise.resolve().then(() =>
            client.request({ url: `${server.url}/`, method: 'POST', ...(perRequest as object) }),
          )
          const outcome = await settle(call)
          if (outcome.ok) {
            await outcome.value.arrayBuffer()
            for (const received of server.requests) expectCleanWire(received)
          } else {
            expectTypedRejection(outcome.error, false)
          }
        } finally {
          await client.close()
        }
      }),
      fuzzParameters(REQUEST_RUNS),
    )
  },
  fuzzTimeout(REQUEST_RUNS, 15),
)
