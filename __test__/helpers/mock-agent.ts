import { afterEach, beforeEach } from 'vitest'
import { MockAgent } from '../../dist/esm/testing.js'
import { closeAll } from './servers.js'

/**
 * Gives each test of the file a fresh `MockAgent`, closed after it together with any loopback
 * servers the test started. Returns the current test's agent.
 */
export function agentPerTest(): () => MockAgent {
  let agent: MockAgent | undefined
  beforeEach(() => {
    agent = new MockAgent()
  })
  afterEach(async () => {
    await agent?.close()
    await closeAll()
  })
  return () => {
    if (agent === undefined) throw new Error('agentPerTest: no test is running')
    return agent
  }
}
