import zlib from 'node:zlib'

export type Coding = 'gzip' | 'deflate' | 'br' | 'zstd'

export function encode(coding: Coding, data: Buffer): Buffer {
  switch (coding) {
    case 'gzip':
      return zlib.gzipSync(data)
    case 'deflate':
      return zlib.deflateSync(data)
    case 'br':
      return zlib.brotliCompressSync(data)
    case 'zstd':
      return zlib.zstdCompressSync(data)
  }
}

/** Applies `codings` in order, as a server listing them in Content-Encoding would. */
export function encodeAll(codings: Coding[], data: Buffer): Buffer {
  return codings.reduce((body, coding) => encode(coding, body), data)
}
