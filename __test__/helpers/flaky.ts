import type http from 'node:http'
import { readBody, startHttpServer, type TestServer } from './servers.js'

export interface Arrival {
  /** `performance.now()` when the whole request had arrived. */
  at: number
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: Buffer
}

export interface FlakyServer extends TestServer {
  arrivals: Arrival[]
  /** Milliseconds between consecutive arrivals. */
  intervals(): number[]
  /** Requests being answered right now, and the most there ever were. */
  inFlight: { now: number; max: number }
}

/**
 * A node:http server whose `respond` decides, per request (0-based `index` in arrival order),
 * what to answer. Every complete request is recorded with its arrival time; a request counts
 * as in flight until its response has finished or its connection closed.
 */
export async function startFlakyServer(
  respond: (res: http.ServerResponse, index: number, arrival: Arrival) => void,
): Promise<FlakyServer> {
  const arrivals: Arrival[] = []
  const inFlight = { now: 0, max: 0 }
  const server = await startHttpServer(async (req, res) => {
    let body: Buffer
    try {
      body = await readBody(req)
    } catch {
      return
    }
    const arrival: Arrival = {
      at: performance.now(),
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
    }
    const index = arrivals.push(arrival) - 1
    inFlight.now += 1
    inFlight.max = Math.max(inFlight.max, inFlight.now)
    res.once('close', () => {
      inFlight.now -= 1
    })
    respond(res, index, arrival)
  })
  const intervals = () => arrivals.slice(1).map((a, i) => a.at - arrivals[i].at)
  return { ...server, arrivals, intervals, inFlight }
}

/** Answers `status` with optional headers and a short body. */
export function answer(
  res: http.ServerResponse,
  status: number,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, headers)
  res.end(String(status))
}
