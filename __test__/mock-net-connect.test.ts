import { expect, it } from 'vitest'
import { MockNotMatchedError } from '../dist/esm/testing.js'
import { rejectionOf } from './helpers/async.js'
import { agentPerTest } from './helpers/mock-agent.js'
import { startHttpServer } from './helpers/servers.js'

const agent = agentPerTest()

it('by default a request to an origin without interceptors is refused, never sent', async () => {
  let reached = false
  const real = await startHttpServer((_req, res) => {
    reached = true
    res.end('real')
  })
  const client = agent().client()
  const error = await rejectionOf(client.get(real.url))
  expect(error).toBeInstanceOf(MockNotMatchedError)
  expect((error as Error).message).toContain(`enableNetConnect('${new URL(real.url).host}')`)
  expect((error as MockNotMatchedError).attempts).toBe(1)
  expect(reached).toBe(false)
})

it('enableNetConnect(host) lets that host reach the network; mocked origins stay mocked', async () => {
  const real = await startHttpServer((_req, res) => res.end('real'))
  const realUrl = new URL(real.url)
  agent().get('https://api.example.com').intercept({ path: '/x' }).reply(200, 'mocked')
  agent().enableNetConnect(realUrl.hostname)
  const client = agent().client()
  expect(await (await client.get(real.url)).text()).toBe('real')
  expect(await (await client.get('https://api.example.com/x')).text()).toBe('mocked')
  expect(await rejectionOf(client.get('http://localhost:1/'))).toBeInstanceOf(MockNotMatchedError)

  // A route change closes idle pooled connections: the next request is routed anew.
  agent().disableNetConnect()
  expect(await rejectionOf(client.get(real.url))).toBeInstanceOf(MockNotMatchedError)
})

it('enableNetConnect() lets every unmocked host through, and a host:port only that port', async () => {
  const real = await startHttpServer((_req, res) => res.end('real'))
  // A total timeout well under the test's: a request that hangs fails with the phase it hung in.
  const client = agent().client({ timeout: { total: 10_000 } })
  agent().enableNetConnect(`localhost:${new URL(real.url).port}`)
  expect(await rejectionOf(client.get(real.url))).toBeInstanceOf(MockNotMatchedError)
  agent().enableNetConnect(new URL(real.url).host)
  expect(await (await client.get(real.url)).text()).toBe('real')
  agent().disableNetConnect()
  agent().enableNetConnect()
  expect(await (await client.get(real.url)).text()).toBe('real')
})
