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
 * A node:http server that records every complete request (with its whole body) before `respond`
 * answers it; by default it answers 200 "ok".
 */
export async function startRecordingServer(
  respond: (req: RecordedRequest, res: http.ServerResponse) => void = (_req, res) => res.end('ok'),
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = []
  const server = await startHttpServer(async (req, res) => {
    let body: Buffer
    try {
      body = await readBody(req)
    } catch {
      return // the client gave up mid-upload; there is no request to record
    }
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
      remotePort: req.socket.remotePort ?? -1,
    }
    requests.push(recorded)
    respond(recorded, res)
  })
  return { ...server, requests }
}
