import { afterEach } from 'vitest'

/**
 * Restores the environment variables `names` after each test of the file, to what they were
 * when the file started (unset ones are deleted again), so a test may set them freely.
 */
export function restoreEnvAfterEach(names: readonly string[]): void {
  const saved = new Map(names.map((name) => [name, process.env[name]]))
  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })
}
