import { resolveObjectURL } from 'node:buffer'
import { STATUS_CODES } from 'node:http'
import { MIMEType } from 'node:util'
import { describe } from './describe.js'
import { InvalidArgumentError } from './errors.js'
import { Response } from './response.js'

const LOCAL_SCHEME = /^[\t\n\f\r ]*(?:data|blob):/i
const BASE64_SUFFIX = /;[ ]*base64$/i
const ASCII_WHITESPACE = /[\t\n\f\r ]+/g
const BASE64 = /^[A-Za-z0-9+/]*$/
const DEFAULT_DATA_TYPE = 'text/plain;charset=US-ASCII'
/** The fetch standard's single byte range: `bytes=start-end`, either end may be omitted. */
const SINGLE_RANGE = /^bytes[\t ]*=[\t ]*(\d*)[\t ]*-[\t ]*(\d*)[\t ]*$/

/** Whether fetch serves `input` itself (a `data:` or `blob:` URL) instead of the network. */
export function isLocalUrl(input: string): boolean {
  const first = input.charCodeAt(0) | 0x20
  // Cheap pre-check: every local URL starts with d/b (or whitespace, which fetch trims).
  return (
    (first === 0x64 || first === 0x62 || input.charCodeAt(0) <= 0x20) && LOCAL_SCHEME.test(input)
  )
}

/**
 * Serves a `data:` or `blob:` URL as Node's fetch does: status 200, the body decoded from
 * the URL (base64 or percent-encoded) or read from the Blob registered with
 * `URL.createObjectURL`, and its `content-type`. Blob URLs answer GET only, and a single
 * byte `range` with 206. A bad URL or range throws an InvalidArgumentError, which fetch
 * reports as `TypeError('fetch failed')`.
 */
export async function fetchLocal(
  href: string,
  method: string,
  range: string | null,
): Promise<Response> {
  const url = new URL(href)
  url.hash = ''
  if (url.protocol === 'data:') {
    const { type, body } = parseDataUrl(url.href)
    return local(url.href, method, 200, `content-type\0${type}`, body)
  }
  if (method !== 'GET') {
    throw new InvalidArgumentError(`blob: URLs can only be fetched with GET, not ${method}`)
  }
  const blob = resolveObjectURL(url.href)
  if (blob === undefined) {
    throw new InvalidArgumentError(
      `${describe(url.href)} is not a registered blob URL (never created, or revoked)`,
    )
  }
  if (range !== null) return blobRange(url.href, blob, range)
  const body = Buffer.from(await blob.arrayBuffer())
  const headers = `content-length\0${body.length}\0content-type\0${blob.type}`
  return local(url.href, method, 200, headers, body)
}

function local(
  url: string,
  method: string,
  status: number,
  rawHeaders: string,
  body: Buffer,
): Response {
  const content = method === 'HEAD' ? null : body
  const head = {
    status,
    statusText: STATUS_CODES[status] ?? '',
    rawHeaders,
    url,
    redirected: false,
    attempts: 1,
  }
  return new Response(head, content)
}

/** The fetch standard's blob range: one range, clamped to the blob, or an error. */
async function blobRange(url: string, blob: Blob, range: string): Promise<Response> {
  const match = SINGLE_RANGE.exec(range)
  const [first, last] = [match?.[1] ?? '', match?.[2] ?? '']
  const size = blob.size
  let start = Number(first)
  let end = Number(last)
  if (first === '') {
    start = Math.max(0, size - end)
    end = size - 1
  } else if (last === '' || end >= size) {
    end = size - 1
  }
  if (match === null || (first === '' && last === '') || start >= size || start > end) {
    throw new InvalidArgumentError(
      `range ${describe(range)} cannot be served from a ${size}-byte blob`,
    )
  }
  const body = Buffer.from(await blob.slice(start, end + 1).arrayBuffer())
  const headers = `content-length\0${body.length}\0content-type\0${blob.type}\0content-range\0bytes ${start}-${end}/${size}`
  return local(url, 'GET', 206, headers, body)
}

/** The fetch standard's data: URL processor (`href` has no fragment). */
function parseDataUrl(href: string): { type: string; body: Buffer } {
  const rest = href.slice('data:'.length)
  const comma = rest.indexOf(',')
  if (comma === -1) {
    throw new InvalidArgumentError('data: URL has no comma before its data')
  }
  let type = rest.slice(0, comma).trim()
  let body = percentDecode(rest.slice(comma + 1))
  const base64 = BASE64_SUFFIX.exec(type)
  if (base64 !== null) {
    body = forgivingBase64(body.toString('latin1'))
    type = type.slice(0, base64.index)
  }
  if (type.startsWith(';')) type = `text/plain${type}`
  return { type: mimeType(type), body }
}

function mimeType(text: string): string {
  try {
    return new MIMEType(text).toString()
  } catch {
    return DEFAULT_DATA_TYPE
  }
}

function percentDecode(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1')
  if (!text.includes('%')) return bytes
  const out = Buffer.allocUnsafe(bytes.length)
  let length = 0
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number
    const high = hexValue(bytes[i + 1])
    const low = hexValue(bytes[i + 2])
    if (byte === 0x25 && high !== -1 && low !== -1) {
      out[length++] = high * 16 + low
      i += 2
    } else {
      out[length++] = byte
    }
  }
  return out.subarray(0, length)
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30
  const lower = byte | 0x20
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1
}

/** The infra standard's forgiving-base64 decode: whitespace ignored, padding optional. */
function forgivingBase64(text: string): Buffer {
  let data = text.replace(ASCII_WHITESPACE, '')
  if (data.length % 4 === 0) data = data.replace(/={1,2}$/, '')
  if (data.length % 4 === 1 || !BASE64.test(data)) {
    throw new InvalidArgumentError('data: URL has invalid base64 data')
  }
  return Buffer.from(data, 'base64')
}
