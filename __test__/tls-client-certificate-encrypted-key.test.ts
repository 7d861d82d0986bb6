import { afterEach, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import { caPem, certificatePaths, readPem } from './helpers/certificates.js'
import {
  encryptedClientKey,
  PASSPHRASE,
  startMutualTlsHttpsServer,
} from './helpers/client-certificate-files.js'
import { closeAll } from './helpers/servers.js'

afterEach(closeAll)

const cert = () => readPem(certificatePaths().client.cert)

it('decrypts an encrypted PKCS#8 tls.key with tls.passphrase and presents the certificate', async () => {
  const server = await startMutualTlsHttpsServer()
  const key = encryptedClientKey()
  expect(key).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----')
  await using client = new Client({
    tls: { ca: caPem(), cert: cert(), key, passphrase: PASSPHRASE },
  })
  expect(await (await client.get(server.url)).text()).toBe('hyperhttp-test-client')
})

it('a wrong passphrase fails at construction with ERR_INVALID_ARGUMENT', () => {
  const construct = () =>
    new Client({ tls: { cert: cert(), key: encryptedClientKey(), passphrase: 'wrong' } })
  expect(construct).toThrow(InvalidArgumentError)
  expect(construct).toThrow(/tls\.passphrase does not decrypt tls\.key/)
})

it('a missing passphrase fails at construction, saying it is needed', () => {
  const construct = () => new Client({ tls: { cert: cert(), key: encryptedClientKey() } })
  expect(construct).toThrow(InvalidArgumentError)
  expect(construct).toThrow(/tls\.key is encrypted .*give its tls\.passphrase/)
})
