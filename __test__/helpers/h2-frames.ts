import net from 'node:net'

/** HTTP/2 frame types and flags the hostile-server tests write. */
export const FRAME = { DATA: 0x0, HEADERS: 0x1, SETTINGS: 0x4, PUSH_PROMISE: 0x5 } as const
export const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4 } as const

const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'

/** One frame's bytes. */
export function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9)
  head.writeUIntBE(payload.length, 0, 3)
  head[3] = type
  head[4] = flags
  head.writeUInt32BE(stream, 5)
  return Buffer.concat([head, payload])
}

/** An HPACK integer with an `bits`-bit prefix. */
function hpackInteger(value: number, bits: number): number[] {
  const max = 2 ** bits - 1
  if (value < max) return [value]
  const out = [max]
  let rest = value - max
  while (rest >= 128) {
    out.push((rest % 128) | 0x80)
    rest = Math.floor(rest / 128)
  }
  out.push(rest)
  return out
}

/** A header block of literals without indexing or Huffman coding: any bytes go through. */
export function headerBlock(fields: Array<[string, string]>): Buffer {
  const bytes: number[] = []
  for (const [name, value] of fields) {
    bytes.push(0x00, ...hpackInteger(name.length, 7), ...Buffer.from(name, 'latin1'))
    bytes.push(...hpackInteger(value.length, 7), ...Buffer.from(value, 'latin1'))
  }
  return Buffer.from(bytes)
}

export interface RawH2cServer {
  url: string
  /** Connections accepted so far. */
  connections: () => number
}

const closers = new Set<() => Promise<void>>()

/** Closes every server `startRawH2cServer` started; call it in `afterEach`. */
export async function closeRawH2cServers(): Promise<void> {
  const pending = [...closers]
  closers.clear()
  await Promise.all(pending.map((close) => close()))
}

/** SETTINGS parameter identifiers (RFC 9113 §6.5.2) the tests advertise. */
export const SETTING = { MAX_CONCURRENT_STREAMS: 0x3 } as const

/** A SETTINGS payload: each `[identifier, value]` as 6 bytes. */
export function settingsPayload(settings: Array<[number, number]>): Buffer {
  const payload = Buffer.alloc(6 * settings.length)
  settings.forEach(([identifier, value], index) => {
    payload.writeUInt16BE(identifier, 6 * index)
    payload.writeUInt32BE(value, 6 * index + 2)
  })
  return payload
}

/**
 * An h2c server (prior knowledge) on a raw socket: it sends its SETTINGS (`settings`, empty by
 * default), acknowledges the client's, and calls `onRequest` with the socket and the stream id
 * of each request HEADERS.
 */
export async function startRawH2cServer(
  onRequest: (socket: net.Socket, stream: number) => void,
  settings: Array<[number, number]> = [],
): Promise<RawH2cServer> {
  const sockets = new Set<net.Socket>()
  let accepted = 0
  const server = net.createServer((socket) => {
    accepted += 1
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    let buffered = Buffer.alloc(0)
    let prefaceSeen = false
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      if (!prefaceSeen) {
        if (buffered.length < PREFACE.length) return
        prefaceSeen = true
        buffered = buffered.subarray(PREFACE.length)
        socket.write(frame(FRAME.SETTINGS, 0, 0, settingsPayload(settings)))
      }
      while (buffered.length >= 9) {
        const length = buffered.readUIntBE(0, 3)
        if (buffered.length < 9 + length) return
        const [type, flags, stream] = [buffered[3], buffered[4], buffered.readUInt32BE(5)]
        buffered = buffered.subarray(9 + length)
        if (type === FRAME.SETTINGS && (flags & FLAG.ACK) === 0) {
          socket.write(frame(FRAME.SETTINGS, FLAG.ACK, 0, Buffer.alloc(0)))
        } else if (type === FRAME.HEADERS) {
          onRequest(socket, stream & 0x7fffffff)
        }
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  closers.add(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return { url: `http://127.0.0.1:${port}`, connections: () => accepted }
}
