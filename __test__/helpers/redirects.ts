import type http from 'node:http'
import { type RecordingServer, startRecordingServer } from './recording.js'

/**
 * A recording server where `/redirect/<status>?to=<url>` answers `<status>` with
 * `Location: <url>` and every other path answers 200 with a JSON echo of the request.
 */
export async function startRedirectServer(): Promise<RecordingServer> {
  return startRecordingServer((req, res) => {
    const url = new URL(req.url, 'http://placeholder')
    const match = /^\/redirect\/(\d{3})$/.exec(url.pathname)
    if (match !== null) {
      res.statusCode = Number(match[1])
      res.setHeader('location', url.searchParams.get('to') ?? '/')
      res.end(`redirecting to ${url.searchParams.get('to')}`)
      return
    }
    echo(req, res)
  })
}

function echo(
  req: { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer },
  res: http.ServerResponse,
): void {
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ method: req.method, url: req.url, body: req.body.toString() }))
}

/** The path that makes a redirect server answer `status` pointing at `to`. */
export function redirectPath(status: number, to: string): string {
  return `/redirect/${status}?to=${encodeURIComponent(to)}`
}
