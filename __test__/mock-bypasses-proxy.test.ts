import { expect, it } from 'vitest'
import { agentPerTest } from './helpers/mock-agent.js'
import { closedPort } from './helpers/servers.js'

const agent = agentPerTest()

it('a mocked origin is served by the agent, never through the configured proxy', async () => {
  // A proxy nobody listens on: any attempt to use it would fail the request.
  const proxy = `http://user:secret@127.0.0.1:${await closedPort()}`
  agent()
    .get('http://api.example.com')
    .intercept({ path: '/v1' })
    .reply((req) => ({
      status: 200,
      body: { proxyAuth: req.headers['proxy-authorization'] ?? null },
    }))
  const client = agent().client({ proxy, retry: false })
  const res = await client.get('http://api.example.com/v1')
  expect(await res.json()).toEqual({ proxyAuth: null })
})
