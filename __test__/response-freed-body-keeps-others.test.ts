import { randomBytes } from 'node:crypto'
import { afterEach, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { startIndexedBodyServer } from './helpers/response-bodies.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const MIB = 1024 * 1024
/** Random hex text, so a byte of another body showing up cannot compare equal. */
const BODIES = Array.from({ length: 4 }, () => Buffer.from(randomBytes(MIB / 2).toString('hex')))
const REQUESTS = 48
const IN_FLIGHT = 8

it('bodies freed after text() or blob() leave the bytes callers hold intact (arrayBuffer, blob, clones, streams)', async () => {
  const server = await startIndexedBodyServer(BODIES)
  await using client = new Client({ decompress: false })
  const kept: { i: number; bytes: ArrayBuffer | Blob }[] = []
  const wrong: string[] = []
  let next = 0

  async function worker(): Promise<void> {
    while (next < REQUESTS) {
      const n = next++
      const i = n % BODIES.length
      const expected = BODIES[i] as Buffer
      const res = await client.get(`${server.url}/?i=${i}`)
      if (n % 3 === 0) {
        // Kept to the end while freed buffers are handed to later bodies; blob() frees its
        // body, which the Blob must have copied.
        kept.push({ i, bytes: n % 2 === 0 ? await res.arrayBuffer() : await res.blob() })
      } else if (n % 3 === 1) {
        // Both branches of a clone are read: the text one must not free the other's bytes.
        const copy = res.clone()
        const [text, bytes] = await Promise.all([res.text(), copy.arrayBuffer()])
        if (text !== expected.toString()) wrong.push(`request ${n}: clone text`)
        kept.push({ i, bytes })
      } else {
        // A stream created but never read, then text().
        void res.body
        if ((await res.text()) !== expected.toString()) wrong.push(`request ${n}: text`)
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))

  for (const { i, bytes } of kept) {
    const data = bytes instanceof Blob ? await bytes.arrayBuffer() : bytes
    if (!Buffer.from(data).equals(BODIES[i] as Buffer)) wrong.push(`kept body ${i}`)
  }
  expect(wrong).toEqual([])
  expect(kept.length).toBe(REQUESTS / 3 + REQUESTS / 3)
}, 60_000)
