import { createRequire } from 'node:module'
import { expect, it } from 'vitest'

it('the production addon carries no benchmark-only export (requestBaseline is a cargo feature)', () => {
  const binding = createRequire(import.meta.url)('../index.cjs') as {
    NativeClient: { prototype: Record<string, unknown> }
  }
  expect(typeof binding.NativeClient.prototype.request).toBe('function')
  expect(binding.NativeClient.prototype.requestBaseline).toBeUndefined()
})
