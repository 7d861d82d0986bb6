import { startHttpServer, type TestServer } from './servers.js'

/** What `/small` answers, in one write with the head (the engine hands it over whole). */
export const SMALL_BODY = 'small body'
/** The first part of a `/held` body, sent with the head. */
export const HELD_FIRST = Buffer.alloc(16 * 1024, 'a')
/**
 * The rest of a `/held` body, sent only on `release()`. The whole is larger than a body the
 * engine may wait for before handing over the head.
 */
export const HELD_REST = Buffer.alloc(112 * 1024, 'b')
export const HELD_LENGTH = HELD_FIRST.length + HELD_REST.length

export interface BodyServer extends TestServer {
  /** Sends the rest of every `/held` body waiting now (later ones wait for the next call). */
  release(): void
}

/**
 * Answers `/small` with a short complete body and `/held` with a body still arriving when the
 * response resolves: its rest is withheld until `release()`, so it is read from the engine.
 */
export async function startBodyServer(): Promise<BodyServer> {
  const waiting = new Set<() => void>()
  const server = await startHttpServer((req, res) => {
    res.setHeader('content-type', 'text/plain')
    if (req.url !== '/held') return res.end(SMALL_BODY)
    res.setHeader('content-length', HELD_LENGTH)
    res.write(HELD_FIRST)
    waiting.add(() => res.end(HELD_REST))
  })
  const release = () => {
    for (const end of waiting) end()
    waiting.clear()
  }
  return { ...server, release }
}

/** Answers `/?i=N` with `bodies[N]` and its `content-length` (an unknown index: an empty body). */
export function startIndexedBodyServer(bodies: readonly Buffer[]): Promise<TestServer> {
  return startHttpServer((req, res) => {
    const body = bodies[Number(new URL(req.url ?? '/', 'http://x').searchParams.get('i'))]
    res.writeHead(200, { 'content-length': body?.length ?? 0 })
    res.end(body)
  })
}
