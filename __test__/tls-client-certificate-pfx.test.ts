import { afterEach, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import { caPem } from './helpers/certificates.js'
import {
  clientPfx,
  PASSPHRASE,
  startMutualTlsHttpsServer,
} from './helpers/client-certificate-files.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

it('presents the client certificate of a tls.pfx file opened with tls.passphrase', async () => {
  const server = await startMutualTlsHttpsServer()
  await using client = new Client({
    tls: { ca: caPem(), pfx: clientPfx(), passphrase: PASSPHRASE },
  })
  expect(await (await client.get(server.url)).text()).toBe('hyperhttp-test-client')
})

it('a wrong or missing passphrase fails at construction with ERR_INVALID_ARGUMENT', () => {
  const pfx = clientPfx()
  for (const passphrase of ['wrong', undefined]) {
    const construct = () => new Client({ tls: { pfx, passphrase } })
    expect(construct).toThrow(InvalidArgumentError)
    expect(construct).toThrow(/tls\.passphrase does not open tls\.pfx/)
  }
})

it('a file that is not PKCS#12 is refused with a message naming tls.pfx', () => {
  const construct = () => new Client({ tls: { pfx: Buffer.from('not a pfx'), passphrase: 'x' } })
  expect(construct).toThrow(InvalidArgumentError)
  expect(construct).toThrow(/tls\.pfx/)
})
