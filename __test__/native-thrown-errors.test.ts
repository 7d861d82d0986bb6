import { createRequire } from 'node:module'
import { expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'

/** The binding as the facade loads it (crates/node/README.md is its contract). */
const binding = createRequire(import.meta.url)('../index.cjs') as {
  NativeClient: new (
    options: object,
    onEvents: (events: unknown[]) => void,
  ) => {
    request(
      id: number,
      method: string,
      url: string,
      headers: string[],
      body: null,
      options: null,
    ): void
    close(): void
  }
}

function thrownBy(run: () => unknown): Record<string, unknown> {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(Error)
    return error as Record<string, unknown>
  }
  throw new Error('expected a throw')
}

it('the binding throws engine errors with code, url and attempts as fields, not in the message', () => {
  const native = new binding.NativeClient({}, () => {})
  native.close()
  const error = thrownBy(() =>
    native.request(1, 'GET', 'http://127.0.0.1:9/closed', [], null, null),
  )
  expect(error.code).toBe('ERR_CLIENT_CLOSED')
  expect(error.url).toBe('http://127.0.0.1:9/closed')
  expect(error.attempts).toBe(1)
  expect(error.message).toBe('the client is closed')
})

it('an option the engine refuses at construction throws with its code as a field', () => {
  const error = thrownBy(() => new binding.NativeClient({ ca: ['not a certificate'] }, () => {}))
  expect(error.code).toBe('ERR_INVALID_ARGUMENT')
  expect(error.message).toMatch(/^tls\.ca/)
  expect(error.phase).toBeUndefined()
})

it('the facade turns such a throw into the typed error, message unchanged', () => {
  let thrown: unknown
  try {
    new Client({ tls: { ca: 'not a certificate' } })
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(InvalidArgumentError)
  expect((thrown as InvalidArgumentError).code).toBe('ERR_INVALID_ARGUMENT')
  expect((thrown as InvalidArgumentError).message).toMatch(/^tls\.ca/)
  expect((thrown as InvalidArgumentError).message).not.toContain('ERR_')
})
