import { randomBytes } from 'node:crypto'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { startIndexedBodyServer } from './helpers/response-bodies.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const MIB = 1024 * 1024
/**
 * Random bodies of slightly different sizes (1 MiB down to 1 MiB - 56 KiB): the engine reuses
 * a collected body's buffer for a later body of about the same size, so a smaller body may
 * land in a larger, used buffer.
 */
const BODIES = Array.from({ length: 8 }, (_, i) => randomBytes(MIB - i * 8 * 1024))
/** Enough megabytes that V8 collects the first bodies (and their buffers are reused) meanwhile. */
const REQUESTS = 320
const IN_FLIGHT = 16

it('whole bodies read while others are in flight arrive intact, whatever buffer they land in', async () => {
  const server = await startIndexedBodyServer(BODIES)
  await using client = new Client({ decompress: false })
  let next = 0
  const wrong: string[] = []

  async function worker(): Promise<void> {
    while (next < REQUESTS) {
      const i = next++ % BODIES.length
      const bytes = await (await client.get(`${server.url}/?i=${i}`)).bytes()
      const expected = BODIES[i] as Buffer
      // The view covers its whole buffer and exactly this body's bytes: nothing of an earlier
      // body shows before, after or inside it.
      if (bytes.buffer.byteLength !== expected.length || !expected.equals(bytes)) {
        wrong.push(`request ${next}: body ${i}, ${bytes.buffer.byteLength} bytes`)
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))

  expect(wrong).toEqual([])
}, 60_000)
