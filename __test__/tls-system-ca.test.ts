import { afterEach, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import { certificatePaths } from './helpers/certificates.js'
import { runNodeScript } from './helpers/child-process.js'
import { packageEntryUrl } from './helpers/package.js'
import { closeAll, startHttpsServer } from './helpers/servers.js'

afterEach(closeAll)

// The system store is pointed at the test CA with SSL_CERT_FILE, in a child process so that
// no other test sees it.
const script = (url: string, useSystemCa: boolean) => `
  const { Client } = await import(${JSON.stringify(packageEntryUrl)});
  const client = new Client({ tls: { useSystemCa: ${useSystemCa} } });
  try {
    const res = await client.get(${JSON.stringify(url)});
    console.log('status', res.status, await res.text());
  } catch (error) {
    console.log('error', error.code);
  } finally {
    await client.close();
  }
`

it('tls.useSystemCa trusts the CA of the system store', async () => {
  const server = await startHttpsServer((_req, res) => res.end('system-ca'))
  const env = { SSL_CERT_FILE: certificatePaths().ca, NODE_EXTRA_CA_CERTS: undefined }
  const trusted = await runNodeScript(script(server.url, true), env)
  expect(trusted.stdout.trim(), trusted.stderr).toBe('status 200 system-ca')
  const untrusted = await runNodeScript(script(server.url, false), env)
  expect(untrusted.stdout.trim(), untrusted.stderr).toBe('error ERR_TLS_CERT_UNTRUSTED')
})

it('tls.useSystemCa must be a boolean', () => {
  expect(() => new Client({ tls: { useSystemCa: 'yes' as unknown as boolean } })).toThrow(
    InvalidArgumentError,
  )
  expect(() => new Client({ tls: { useSystemCa: 'yes' as unknown as boolean } })).toThrow(
    /tls\.useSystemCa must be a boolean/,
  )
})
