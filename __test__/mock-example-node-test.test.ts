import { expect, it } from 'vitest'
import { runNode } from './helpers/child-process.js'

it('the node:test example of hyperhttp/testing passes', async () => {
  const result = await runNode(
    ['--test', '--test-reporter=tap', 'examples/mock-agent.node-test.mjs'],
    {},
    60_000,
  )
  expect(result.stderr).toBe('')
  expect(result.stdout).toContain('# pass 4')
  expect(result.stdout).toContain('# fail 0')
  expect(result.code).toBe(0)
})
