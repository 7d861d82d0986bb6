import { afterEach, expect, it } from 'vitest'
import { runNodeScript } from './helpers/child-process.js'
import { packageEntryUrl } from './helpers/package.js'
import { closeAll, startSecureServer } from './helpers/servers.js'

afterEach(closeAll)

const NODE_WARNING =
  "Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0' makes TLS connections and HTTPS requests insecure by disabling certificate verification."

/** Two fetches and a second client in one process, then an explicit option; warnings logged. */
const script = (url: string) => `
  process.on('warning', (w) => console.log('warning', w.name, w.message));
  const { Client, fetch } = await import(${JSON.stringify(packageEntryUrl)});
  const outcome = (p) => p.then((r) => 'status ' + r.status, (e) => 'error ' + (e.cause?.code ?? e.code));
  console.log(await outcome(fetch(${JSON.stringify(url)})));
  console.log(await outcome(fetch(${JSON.stringify(url)})));
  const client = new Client();
  console.log(await outcome(client.get(${JSON.stringify(url)})));
  const strict = new Client({ tls: { rejectUnauthorized: true } });
  console.log(await outcome(strict.get(${JSON.stringify(url)})));
  await new Promise((resolve) => setImmediate(resolve));
`

it("NODE_TLS_REJECT_UNAUTHORIZED=0 turns verification off with Node's warning, once", async () => {
  const server = await startSecureServer((_req, res) => res.end('ok'), { identity: 'selfSigned' })
  const result = await runNodeScript(script(server.url), { NODE_TLS_REJECT_UNAUTHORIZED: '0' })
  expect(result.stdout.trim().split('\n'), result.stderr).toEqual([
    `warning Warning ${NODE_WARNING}`,
    'status 200',
    'status 200',
    'status 200',
    'error ERR_TLS_CERT_SELF_SIGNED',
  ])
})

it('without it the self-signed certificate is refused and nothing is printed', async () => {
  const server = await startSecureServer((_req, res) => res.end('ok'), { identity: 'selfSigned' })
  const result = await runNodeScript(script(server.url), {
    NODE_TLS_REJECT_UNAUTHORIZED: undefined,
  })
  expect(result.stdout.trim().split('\n'), result.stderr).toEqual([
    'error ERR_TLS_CERT_SELF_SIGNED',
    'error ERR_TLS_CERT_SELF_SIGNED',
    'error ERR_TLS_CERT_SELF_SIGNED',
    'error ERR_TLS_CERT_SELF_SIGNED',
  ])
})
