import { expect, it } from 'vitest'
import { fetch } from '../dist/esm/index.js'
import { MockNotMatchedError } from '../dist/esm/testing.js'
import { rejectionOf } from './helpers/async.js'
import { agentPerTest } from './helpers/mock-agent.js'
import { startHttpServer } from './helpers/servers.js'

const agent = agentPerTest()

it('install() points the drop-in fetch at the agent; uninstall() gives it the network back', async () => {
  const real = await startHttpServer((_req, res) => res.end('real'))
  agent().get('https://api.example.com').intercept({ path: '/v1/me' }).reply(200, { name: 'Ada' })
  agent().install()
  const res = await fetch('https://api.example.com/v1/me')
  expect(await res.json()).toEqual({ name: 'Ada' })
  // fetch semantics stay: a refusal is TypeError('fetch failed') with the typed error as cause.
  const refused = await rejectionOf(fetch(real.url))
  expect(refused).toBeInstanceOf(TypeError)
  expect((refused as TypeError).cause).toBeInstanceOf(MockNotMatchedError)

  agent().uninstall()
  expect(await (await fetch(real.url)).text()).toBe('real')
})

it('close() detaches every client it served', async () => {
  const real = await startHttpServer((_req, res) => res.end('real'))
  const client = agent().client()
  expect(await rejectionOf(client.get(real.url))).toBeInstanceOf(MockNotMatchedError)
  await agent().close()
  expect(await (await client.get(real.url)).text()).toBe('real')
  await client.close()
})
