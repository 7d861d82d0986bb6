// An example test of application code that calls an HTTP API through hyperhttp, with
// node:test and hyperhttp/testing. Run it with: node --test examples/mock-agent.node-test.mjs
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { fetch } from 'hyperhttp'
import { MockAgent } from 'hyperhttp/testing'

// --- the code under test -------------------------------------------------------------------

/** Fetches a user; the client retries a 503 by itself, honouring Retry-After. */
async function getUser(client, id) {
  const res = await client.get(`/users/${id}`)
  if (!res.ok) throw new Error(`user ${id}: HTTP ${res.status}`)
  return res.json()
}

/** Reports an event with the drop-in fetch. */
async function report(event) {
  const res = await fetch('https://events.example.com/v1/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  })
  return res.status === 202
}

// --- the tests -----------------------------------------------------------------------------

const agent = new MockAgent()
const api = agent.get('https://api.example.com')
const client = agent.client({
  baseUrl: 'https://api.example.com',
  retry: { maxRetries: 2, backoff: { kind: 'none' } },
})

before(() => agent.install()) // the drop-in fetch goes to the agent too
after(() => agent.close())

test('a 503 with Retry-After is retried by the client, then the user is returned', async () => {
  api.intercept({ path: '/users/1' }).reply(503, 'busy', { headers: { 'retry-after': '1' } })
  api.intercept({ path: '/users/1' }).reply(200, { id: 1, name: 'Ada' })
  const started = Date.now()
  assert.deepEqual(await getUser(client, 1), { id: 1, name: 'Ada' })
  assert.ok(Date.now() - started >= 900, 'the client waited for Retry-After')
  agent.assertNoPendingInterceptors()
})

test('a refused connection is retried like a real one', async () => {
  api.failConnect('ERR_CONNECT')
  api.intercept({ path: '/users/2' }).reply(200, { id: 2, name: 'Grace' })
  assert.equal((await getUser(client, 2)).name, 'Grace')
  agent.assertNoPendingInterceptors()
})

test('fetch posts the event the server expects', async () => {
  agent
    .get('https://events.example.com')
    .intercept({
      method: 'POST',
      path: '/v1/events',
      body: (text) => JSON.parse(text).kind === 'signup',
    })
    .reply(202)
  assert.equal(await report({ kind: 'signup' }), true)
  agent.assertNoPendingInterceptors()
})

test('a request nobody scripted fails instead of reaching the network', async () => {
  await assert.rejects(getUser(client, 3), { code: 'ERR_MOCK_NOT_MATCHED' })
})
