import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { rejectionOf } from './helpers/async.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('a refusal by addressFilter does not count against the origin in its circuit breaker', async () => {
  const server = await startRecordingServer()
  await using client = new Client({
    addressFilter: () => false,
    circuitBreaker: { failureThreshold: 1 },
    retry: false,
  })
  for (let i = 0; i < 3; i++) {
    expect(await rejectionOf(client.get(server.url))).toMatchObject({ code: 'ERR_ADDRESS_BLOCKED' })
  }
  expect(client.breakers.state(server.url)).toBe('closed')
})
