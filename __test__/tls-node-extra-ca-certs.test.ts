import { afterEach, expect, it } from 'vitest'
import { certificatePaths } from './helpers/certificates.js'
import { runNodeScript } from './helpers/child-process.js'
import { packageEntryUrl } from './helpers/package.js'
import { closeAll, startSecureServer } from './helpers/servers.js'

afterEach(closeAll)

const script = (url: string) => `
  const { fetch } = await import(${JSON.stringify(packageEntryUrl)});
  try {
    const res = await fetch(${JSON.stringify(url)});
    console.log('status', res.status, await res.text());
  } catch (error) {
    console.log('error', error.cause?.code ?? error.code ?? error.message);
  }
`

it('trusts the CA named by NODE_EXTRA_CA_CERTS', async () => {
  const server = await startSecureServer((_req, res) => res.end('extra-ca'))
  const result = await runNodeScript(script(server.url), {
    NODE_EXTRA_CA_CERTS: certificatePaths().ca,
  })
  expect(result.stdout.trim(), result.stderr).toBe('status 200 extra-ca')
  expect(result.code).toBe(0)
})

it('without NODE_EXTRA_CA_CERTS the same server is untrusted', async () => {
  const server = await startSecureServer((_req, res) => res.end('extra-ca'))
  const result = await runNodeScript(script(server.url), { NODE_EXTRA_CA_CERTS: undefined })
  expect(result.stdout.trim(), result.stderr).toBe('error ERR_TLS_CERT_UNTRUSTED')
  expect(result.code).toBe(0)
})

it('tls.useNodeExtraCaCerts: false ignores NODE_EXTRA_CA_CERTS', async () => {
  const server = await startSecureServer((_req, res) => res.end('extra-ca'))
  const optedOut = `
    const { Client } = await import(${JSON.stringify(packageEntryUrl)});
    const client = new Client({ tls: { useNodeExtraCaCerts: false } });
    try {
      await client.get(${JSON.stringify(server.url)});
      console.log('trusted');
    } catch (error) {
      console.log('error', error.code);
    }
    await client.close();
  `
  const result = await runNodeScript(optedOut, { NODE_EXTRA_CA_CERTS: certificatePaths().ca })
  expect(result.stdout.trim(), result.stderr).toBe('error ERR_TLS_CERT_UNTRUSTED')
  expect(result.code).toBe(0)
})
