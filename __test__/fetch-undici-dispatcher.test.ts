import {
  type Dispatcher,
  Dispatcher1Wrapper,
  getGlobalDispatcher,
  MockAgent,
  ProxyAgent,
  setGlobalDispatcher,
  Agent as UndiciAgent,
} from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import {
  Client,
  fetch,
  Response as HyperResponse,
  InvalidArgumentError,
} from '../dist/esm/index.js'
import { logLine, squidMissing, startSquid, useProxy } from './helpers/proxies.js'
import { closeAll, closedPort, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

type FetchDispatcher = NonNullable<NonNullable<Parameters<typeof fetch>[1]>['dispatcher']>

/**
 * `dispatcher` as this Node's own fetch takes it, as an app on this Node would pass it: Node 26
 * bundles undici 8, the version installed here; Node 22 and 24 bundle older undici, whose
 * handler interface undici 8 offers through its Dispatcher1Wrapper.
 */
function forNodeFetch(dispatcher: Dispatcher): FetchDispatcher {
  const usable = Number(process.versions.node.split('.')[0]) >= 26
  return (usable ? dispatcher : new Dispatcher1Wrapper(dispatcher)) as unknown as FetchDispatcher
}

/** The warnings this process emits with hyperhttp's dispatcher code, in order. */
const warnings: string[] = []
process.on('warning', (warning) => {
  if ((warning as { code?: string }).code === 'HYPERHTTP_UNDICI_DISPATCHER') {
    warnings.push(warning.message)
  }
})

describe.skipIf(squidMissing() !== null)('fetch with an undici dispatcher', () => {
  const squid = useProxy(() => startSquid())

  it('init.dispatcher: Node’s fetch sends the call through it (a ProxyAgent reaches squid)', async () => {
    const seen: Array<string | undefined> = []
    const origin = await startHttpServer((req, res) => {
      seen.push(req.headers.via)
      res.end('through the dispatcher')
    })
    const agent = new ProxyAgent(squid().url)
    const dispatcher = forNodeFetch(agent)
    try {
      const res = await fetch(`${origin.url}/via-agent`, { dispatcher })
      expect(await res.text()).toBe('through the dispatcher')
      // Node's fetch answered: a platform Response, not hyperhttp's.
      expect(res).not.toBeInstanceOf(HyperResponse)
      expect(seen[0]).toMatch(/squid/)
      await logLine(squid(), new RegExp(`TCP_MISS/200 \\d+ GET ${origin.url}/via-agent `))
      // Without it, the same fetch goes direct, through hyperhttp.
      const direct = await fetch(`${origin.url}/direct`)
      expect(direct).toBeInstanceOf(HyperResponse)
      await direct.text()
      expect(seen[1]).toBeUndefined()
      expect(warnings.filter((w) => w.includes('init.dispatcher'))).toHaveLength(1)
      await (await fetch(`${origin.url}/again`, { dispatcher })).text()
      expect(warnings.filter((w) => w.includes('init.dispatcher'))).toHaveLength(1)
    } finally {
      await agent.close()
    }
  })
})

it('a global MockAgent answers fetch, as it does Node’s; so does an Agent with interceptors; a plain global Agent leaves hyperhttp in charge', async () => {
  const previous = getGlobalDispatcher()
  // A closed loopback port: if hyperhttp ignored the mock, the request would fail here.
  const origin = `http://127.0.0.1:${await closedPort()}`
  const mock = new MockAgent()
  mock.disableNetConnect()
  mock.get(origin).intercept({ path: '/mocked' }).reply(200, 'from the mock')
  setGlobalDispatcher(mock)
  try {
    const res = await fetch(`${origin}/mocked`)
    expect(await res.text()).toBe('from the mock')
    expect(warnings.some((w) => w.includes('a global MockAgent'))).toBe(true)
  } finally {
    setGlobalDispatcher(previous)
    await mock.close()
  }
  const server = await startHttpServer((req, res) => res.end(req.url))
  // An interceptor that sends every request to /intercepted: the path the server sees.
  const redirectPath: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) =>
    dispatch({ ...opts, path: '/intercepted' }, handler)
  const composed = new UndiciAgent().compose(redirectPath)
  setGlobalDispatcher(composed)
  try {
    expect(await (await fetch(`${server.url}/asked`)).text()).toBe('/intercepted')
    expect(warnings.some((w) => w.includes('a global Agent with interceptors'))).toBe(true)
  } finally {
    setGlobalDispatcher(previous)
    await composed.close()
  }
  const plain = new UndiciAgent()
  setGlobalDispatcher(plain)
  try {
    const res = await fetch(`${server.url}/asked`)
    expect(res).toBeInstanceOf(HyperResponse)
    expect(await res.text()).toBe('/asked')
  } finally {
    setGlobalDispatcher(previous)
    await plain.close()
  }
})

it('client.fetch refuses init.dispatcher: a Client makes its own connections', async () => {
  const server = await startHttpServer((_req, res) => res.end())
  await using client = new Client()
  const agent = new UndiciAgent()
  const error = await client
    .fetch(server.url, { dispatcher: forNodeFetch(agent) })
    .catch((e: unknown) => e)
  await agent.close()
  expect(error).toBeInstanceOf(TypeError)
  expect((error as TypeError).cause).toBeInstanceOf(InvalidArgumentError)
  expect(((error as TypeError).cause as Error).message).toMatch(/set proxy or tls on the Client/)
})
