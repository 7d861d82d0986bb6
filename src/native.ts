import { createRequire } from 'node:module'
import { basename, dirname } from 'node:path'

/** Redirect policy understood by the engine. */
export type NativeRedirect = 'follow' | 'manual' | 'error'

/** Client-wide engine options; absent fields take the engine's defaults. Durations in ms. */
export interface NativeClientOptions {
  connectTimeout?: number
  readTimeout?: number
  writeTimeout?: number
  poolTimeout?: number
  totalTimeout?: number
  maxConnections?: number
  maxConnectionsPerHost?: number
  keepAliveTimeout?: number
  http2?: boolean
  http2PriorKnowledge?: boolean
  tlsVerify?: boolean
  ca?: string[]
  cert?: string
  key?: string
  useNodeExtraCaCerts?: boolean
  decompress?: boolean
  maxDecodedBodySize?: number
  maxHeaderSize?: number
  maxHeaderCount?: number
  redirect?: NativeRedirect
  maxRedirects?: number
  httpsOnly?: boolean
}

/** Per-request overrides of {@link NativeClientOptions}. */
export interface NativeRequestOptions {
  connectTimeout?: number
  readTimeout?: number
  writeTimeout?: number
  poolTimeout?: number
  totalTimeout?: number
  redirect?: NativeRedirect
  maxRedirects?: number
  decompress?: boolean
  maxDecodedBodySize?: number
  /** The body arrives through NEED events answered with `write`. */
  streamBody?: boolean
}

/** The binding's client (see crates/node/README.md for the event protocol). */
export interface NativeClient {
  request(
    id: number,
    method: string,
    url: string,
    headers: string[],
    body: Buffer | null | undefined,
    options: NativeRequestOptions | null | undefined,
  ): void
  write(id: number, chunk: Buffer | null): void
  read(id: number): void
  cancel(id: number): void
  ref(): void
  unref(): void
  close(): void
}

/** Constructor of {@link NativeClient}; `onEvents` receives flat batches of 9-slot records. */
export type NativeClientConstructor = new (
  options: NativeClientOptions,
  onEvents: (events: unknown[]) => void,
) => NativeClient

/** Record kinds in slot 0 of an event record. */
export const EVENT_HEAD = 1
export const EVENT_CHUNK = 2
export const EVENT_ERROR = 3
export const EVENT_NEED = 4
/** Slots per event record. */
export const EVENT_SLOTS = 9

let binding: { NativeClient: NativeClientConstructor } | undefined

/** Loads the napi-rs loader (`index.cjs` at the package root) on first use. */
export function nativeBinding(): { NativeClient: NativeClientConstructor } {
  if (binding === undefined) {
    const here = currentFile()
    // Compiled files sit in dist/esm or dist/cjs; sources (run by a test runner) in src.
    const root = basename(dirname(here)) === 'src' ? '..' : '../..'
    binding = createRequire(here)(`${root}/index.cjs`)
  }
  return binding as { NativeClient: NativeClientConstructor }
}

/**
 * Path (CommonJS) or file URL (ESM) of this module, read from the first stack frame. The
 * ESM output cannot name `import.meta` (the CommonJS build would not parse), and a global
 * `__filename` may exist in ESM too (`node -e`, eval workers), so neither is used.
 */
function currentFile(): string {
  const { prepareStackTrace, stackTraceLimit } = Error
  try {
    Error.stackTraceLimit = 1
    Error.prepareStackTrace = (_error, frames) => frames
    const frames = new Error().stack as unknown as NodeJS.CallSite[]
    const file = frames[0]?.getFileName()
    if (file === undefined || file === null) throw new Error('cannot locate hyperhttp/native')
    return file
  } finally {
    Error.prepareStackTrace = prepareStackTrace
    Error.stackTraceLimit = stackTraceLimit
  }
}
