import { execFileSync } from 'node:child_process'
import type { TLSSocket } from 'node:tls'
import { caPem, certificatePaths } from './certificates.js'
import { startHttpsServer, type TestServer } from './servers.js'

export const PASSPHRASE = 'correct horse battery staple'

function openssl(...args: string[]): Buffer {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] })
}

/** The test client identity's key as encrypted PKCS#8 PEM (AES-256-CBC, PBKDF2), by openssl. */
export function encryptedClientKey(): string {
  const { key } = certificatePaths().client
  const args = ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', key]
  return openssl(...args, '-passout', `pass:${PASSPHRASE}`).toString('utf8')
}

/** The test client identity (certificate, key and CA) as PKCS#12 bytes, by openssl (written to its stdout, no file left behind). */
export function clientPfx(): Buffer {
  const { client, ca } = certificatePaths()
  return openssl(
    'pkcs12',
    '-export',
    ...['-in', client.cert, '-inkey', client.key, '-certfile', ca],
    ...['-passout', `pass:${PASSPHRASE}`],
  )
}

/** A node:https server that requires a client certificate from the test CA and answers with its subject's CN. */
export function startMutualTlsHttpsServer(): Promise<TestServer> {
  return startHttpsServer(
    (req, res) => res.end((req.socket as TLSSocket).getPeerCertificate().subject.CN),
    { tls: { ca: caPem(), requestCert: true, rejectUnauthorized: true } },
  )
}
