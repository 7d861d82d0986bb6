import { type RecordingServer, startRecordingServer } from './recording.js'

/**
 * A recording server whose `/login` answers 302 to `location(server)` with
 * `Set-Cookie: <setCookie>`; every other path answers 200 with the `Cookie` it received.
 */
export function startLoginServer(
  setCookie: string | string[],
  location: (self: RecordingServer) => string = () => '/home',
): Promise<RecordingServer> {
  const holder: { server: RecordingServer | null } = { server: null }
  const started = startRecordingServer((req, res) => {
    if (req.url === '/login') {
      res.writeHead(302, {
        location: location(holder.server as RecordingServer),
        'set-cookie': setCookie,
      })
      res.end()
      return
    }
    res.end(req.headers.cookie ?? '')
  })
  return started.then((server) => {
    holder.server = server
    return server
  })
}

/** The `Cookie` header of each request `server` received, in order (`''` for none). */
export function cookiesSeen(server: RecordingServer): string[] {
  return server.requests.map((r) => r.headers.cookie ?? '')
}
