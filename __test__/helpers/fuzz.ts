import { readFileSync } from 'node:fs'
import net from 'node:net'
import fc from 'fast-check'
import { expect } from 'vitest'
import { HyperHttpError } from '../../dist/esm/index.js'

/** The number of runs: `HYPERHTTP_FUZZ_RUNS`, else the CI default of the property. */
function fuzzRuns(defaultRuns: number): number {
  const runs = Number(process.env.HYPERHTTP_FUZZ_RUNS)
  return Number.isInteger(runs) && runs > 0 ? runs : defaultRuns
}

/**
 * Runs and seed of a property: `HYPERHTTP_FUZZ_RUNS` replaces the CI default number of runs,
 * `HYPERHTTP_FUZZ_SEED` the fixed seed (fast-check prints the seed and the counterexample
 * when a property fails, so a failure replays with that seed).
 */
export function fuzzParameters(defaultRuns: number): fc.Parameters<unknown> {
  const seed = Number(process.env.HYPERHTTP_FUZZ_SEED)
  return {
    numRuns: fuzzRuns(defaultRuns),
    seed: Number.isInteger(seed) ? seed : 0x68747470,
  }
}

/** A test timeout for a property whose runs take up to `msPerRun` each on a loaded machine. */
export function fuzzTimeout(defaultRuns: number, msPerRun: number): number {
  return 60_000 + fuzzRuns(defaultRuns) * msPerRun
}

/**
 * Characters that break parsers, from `hostile-characters.txt` (shared with the engine's fuzz
 * tests): line breaks, NUL, controls, separators, Latin-1 and beyond, surrogate halves, and
 * letters whose case mapping is ASCII.
 */
const NASTY = readFileSync(new URL('./hostile-characters.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('U+'))
  .map((line) => String.fromCodePoint(Number.parseInt(line.slice(2, line.indexOf(' ')), 16)))

/** Up to `maxLength` characters, most of them hostile, some from anywhere in UTF-16. */
export function nastyString(maxLength: number): fc.Arbitrary<string> {
  const unit = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  )
  return fc.string({ unit, maxLength })
}

/** Mostly short hostile strings, sometimes a very long one. */
export function nastyValue(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: nastyString(40) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(nastyString(4), fc.integer({ min: 1_000, max: 20_000 }))
        .map(([seed, n]) => `v${seed}`.repeat(n).slice(0, n)),
    },
  )
}

/** One request as the server received it, exactly. */
export interface WireRequest {
  head: Buffer
  body: Buffer
  /** False when the connection ended before the request did. */
  complete: boolean
}

export interface WireServer {
  url: string
  /** Requests received since the last `reset`. */
  requests: WireRequest[]
  reset(): void
  close(): Promise<void>
}

const OK = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
const HEAD_END = Buffer.from('\r\n\r\n')

/**
 * A raw HTTP/1.1 server on 127.0.0.1 that frames requests itself (Content-Length or
 * chunked), records their exact bytes and answers each with an empty 200. One per test file,
 * reused across runs: `reset` between runs.
 */
export async function startWireServer(): Promise<WireServer> {
  let requests: WireRequest[] = []
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let buffer = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      for (;;) {
        const framed = frame(buffer)
        if (framed === null) return
        if (framed === 'invalid') {
          requests.push({ head: buffer, body: Buffer.alloc(0), complete: false })
          buffer = Buffer.alloc(0)
          socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
          return
        }
        requests.push({ head: framed.head, body: framed.body, complete: true })
        buffer = buffer.subarray(framed.length)
        socket.write(OK)
      }
    })
    socket.on('end', () => {
      if (buffer.length > 0) requests.push({ head: buffer, body: Buffer.alloc(0), complete: false })
      buffer = Buffer.alloc(0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests
    },
    reset() {
      requests = []
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

type Framed = { head: Buffer; body: Buffer; length: number }

/** The first whole request in `data`, `null` when more bytes are needed. */
function frame(data: Buffer): Framed | null | 'invalid' {
  const end = data.indexOf(HEAD_END)
  if (end === -1) return null
  const head = data.subarray(0, end + 4)
  const fields = headerFields(head)
  const lengths = fields.filter(([name]) => name === 'content-length')
  const chunked = fields.some(([name]) => name === 'transfer-encoding')
  if (lengths.length > 1 || (lengths.length === 1 && chunked)) return 'invalid'
  if (chunked) return dechunk(data, head)
  const length = lengths.length === 0 ? 0 : Number(lengths[0][1])
  if (!/^\d+$/.test(lengths[0]?.[1] ?? '0')) return 'invalid'
  const total = head.length + length
  if (data.length < total) return null
  return { head, body: data.subarray(head.length, total), length: total }
}

function dechunk(data: Buffer, head: Buffer): Framed | null | 'invalid' {
  const parts: Buffer[] = []
  let at = head.length
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at)
    if (lineEnd === -1) return null
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16)
    if (!Number.isSafeInteger(size) || size < 0) return 'invalid'
    const chunkEnd = lineEnd + 2 + size
    if (data.length < chunkEnd + 2) return null
    if (size === 0) return { head, body: Buffer.concat(parts), length: chunkEnd + 2 }
    parts.push(data.subarray(lineEnd + 2, chunkEnd))
    at = chunkEnd + 2
  }
}

/** `[lower-case name, value as latin1]` of every field line of a request head. */
export function headerFields(head: Buffer): [string, string][] {
  const lines = head.toString('latin1').split('\r\n').slice(1, -2)
  return lines.map((line) => {
    const colon = line.indexOf(':')
    return [line.slice(0, colon).toLowerCase(), trimSpaces(line.slice(colon + 1))]
  })
}

/** An HTTP token (RFC 9110): what a method and a field name must be. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * Asserts that every byte the server received is well-formed HTTP/1.1 framing: no NUL, no
 * bare CR or LF, a valid request line, field lines `token: value` with no control character
 * but HT, never both Content-Length and Transfer-Encoding. Returns the parsed request line.
 */
export function expectCleanWire(request: WireRequest): { method: string; target: string } {
  const head = request.head
  expect(head.includes(0), 'NUL on the wire').toBe(false)
  for (let i = 0; i < head.length; i++) {
    if (head[i] === 0x0d) expect(head[i + 1], `bare CR at byte ${i}`).toBe(0x0a)
    if (head[i] === 0x0a) expect(head[i - 1], `bare LF at byte ${i}`).toBe(0x0d)
  }
  expect(
    request.complete,
    `the server could not frame ${JSON.stringify(head.toString('latin1'))}`,
  ).toBe(true)
  const text = head.toString('latin1')
  const requestLine = /^(\S+) (\S+) HTTP\/1\.1\r\n/.exec(text)
  expect(requestLine, `request line of ${JSON.stringify(text)}`).not.toBeNull()
  const [, method, target] = requestLine as RegExpExecArray
  expect(method).toMatch(TOKEN)
  expect(target).toMatch(/^[\x21-\x7e]+$/)
  for (const line of text.split('\r\n').slice(1, -2)) {
    const colon = line.indexOf(':')
    expect(colon, `field line ${JSON.stringify(line)}`).toBeGreaterThan(0)
    expect(line.slice(0, colon)).toMatch(TOKEN)
    const control = [...line.slice(colon + 1)].find((ch) => {
      const code = ch.charCodeAt(0)
      return (code < 0x20 && code !== 0x09) || code === 0x7f
    })
    expect(control, `control character in ${JSON.stringify(line)}`).toBeUndefined()
  }
  return { method, target }
}

/** Asserts a rejection is typed: a HyperHttpError with a string code, or fetch's TypeError
 * whose cause is one. */
export function expectTypedRejection(error: unknown, viaFetch: boolean): void {
  const typed = viaFetch && error instanceof TypeError ? error.cause : error
  if (!(typed instanceof HyperHttpError)) {
    throw new Error(`untyped rejection: ${describeError(error)}`)
  }
  expect(typeof typed.code).toBe('string')
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause =
    error.cause instanceof Error ? ` (cause ${error.cause.name}: ${error.cause.message})` : ''
  return `${error.name}: ${error.message}${cause}`
}

/** Settles `promise`, failing instead of hanging past `ms`. */
export async function settle<T>(
  promise: Promise<T>,
  ms = 10_000,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung for ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      hang,
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** The bytes a header value may legitimately become: UTF-8, or one byte per character when
 * all are at most U+00FF; spaces and tabs trimmed at both ends. */
export function acceptedValueBytes(value: string): Buffer[] {
  const trimmed = trimSpaces(value)
  const out = [Buffer.from(trimmed, 'utf8')]
  if (/^[\0-\xff]*$/.test(trimmed)) out.push(Buffer.from(trimmed, 'latin1'))
  return out
}

/** `value` without the spaces and tabs that surround a field value. */
export function trimSpaces(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '')
}
