import type http from 'node:http'
import { readBody, startHttpServer, type TestServer } from './servers.js'

export interface RecordedRequest {
  method: string
  /** Path and query as received. */
  url: string
  headers: http.IncomingHttpHeaders
  body: Buffer
  remotePort: number
}

export interface RecordingServer extends TestServer {
  requests: RecordedRequest[]
}

/**
 * A node:http server that records every request (with its whole body) before `respond` answers
 * it; by default it answers 200 "ok".
 */
export async function startRecordingServer(
  respond: (req: RecordedRequest, res: http.ServerResponse) => void = (_req, res) => res.end('ok'),
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = []
  const server = await startHttpServer(async (req, res) => {
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: await readBody(req),
      remotePort: req.socket.remotePort ?? -1,
    }
    requests.push(recorded)
    respond(recorded, res)
  })
  return { ...server, requests }
}
