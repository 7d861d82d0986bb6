import { afterEach, expect, it, vi } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll } from './helpers/servers.js'

afterEach(() => {
  vi.restoreAllMocks()
  return closeAll()
})

const REQUESTS = 200

function commonPrefixLength(values: string[]): number {
  const first = values[0] ?? ''
  let length = 0
  while (length < first.length && values.every((value) => value[length] === first[length])) {
    length += 1
  }
  return length
}

/**
 * The facade hands FormData to the platform's `Request` (`encodeFormData` in `src/body.ts`), so
 * the boundary is Node's bundled undici's: `----formdata-undici-0` and 11 decimal digits from
 * `require('node:crypto').randomInt(1e11)` (`lib/web/fetch/body.js` in undici 7; undici used
 * `Math.random()` there until CVE-2025-22150). That is a CSPRNG, with log2(1e11) = 36.5 bits.
 */
it('multipart boundaries vary per request, uniformly, and not from Math.random', async () => {
  const server = await startRecordingServer()
  await using client = new Client()
  const form = new FormData()
  form.append('field', 'value')
  form.append('file', new Blob([new Uint8Array([0, 13, 10, 255])]), 'a.bin')
  // An attacker who learnt Math.random's state (CVE-2025-22150) knows every value it gives;
  // pinning it shows the boundaries do not come from it.
  vi.spyOn(Math, 'random').mockReturnValue(0.5)

  await Promise.all(Array.from({ length: REQUESTS }, () => client.post(server.url, { body: form })))

  expect(server.requests).toHaveLength(REQUESTS)
  const boundaries: string[] = []
  for (const request of server.requests) {
    const contentType = request.headers['content-type'] ?? ''
    const boundary = /^multipart\/form-data; boundary=(\S+)$/.exec(contentType)?.[1] ?? ''
    expect(boundary).not.toBe('')
    const body = request.body.toString('latin1')
    expect(body.startsWith(`--${boundary}\r\n`)).toBe(true)
    expect(body.endsWith(`\r\n--${boundary}--\r\n`)).toBe(true)
    boundaries.push(boundary)
  }
  const parsed = await new Response(server.requests[0]?.body, {
    headers: { 'content-type': server.requests[0]?.headers['content-type'] ?? '' },
  }).formData()
  expect(parsed.get('field')).toBe('value')
  expect(new Set(boundaries).size).toBe(REQUESTS)

  // The part that varies: every position of it takes many values (a counter or a clock would
  // pin the leading ones), and its characters are spread evenly over their alphabet.
  const varying = boundaries.map((boundary) => boundary.slice(commonPrefixLength(boundaries)))
  const width = Math.min(...varying.map((part) => part.length))
  expect(width).toBeGreaterThanOrEqual(11)
  for (let position = 0; position < width; position += 1) {
    expect(new Set(varying.map((part) => part[position])).size).toBeGreaterThanOrEqual(5)
  }
  const counts = new Map<string, number>()
  for (const part of varying) {
    for (const character of part.slice(0, width)) {
      counts.set(character, (counts.get(character) ?? 0) + 1)
    }
  }
  const alphabet = counts.size
  const expected = (REQUESTS * width) / alphabet
  const chiSquare = [...counts.values()].reduce(
    (sum, count) => sum + (count - expected) ** 2 / expected,
    0,
  )
  // Mean plus ten standard deviations of a chi-square with alphabet - 1 degrees of freedom.
  expect(chiSquare).toBeLessThan(alphabet - 1 + 10 * Math.sqrt(2 * (alphabet - 1)))
  const bits = width * Math.log2(alphabet)
  console.log(
    `boundary ${boundaries[0]}: ${width} varying characters over ${alphabet} symbols, ${bits.toFixed(1)} bits, chi-square ${chiSquare.toFixed(1)}`,
  )
  expect(bits).toBeGreaterThanOrEqual(36)
})
