// A throwaway PKI for the TLS runs: a CA and a server certificate for 127.0.0.1 signed by
// it (verifiers such as webpki refuse a CA certificate presented as the server's own). The
// files live until the process exits (a server may read them at any time before), then go.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export function makeCertificate() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hyperhttp-bench-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  const file = (name) => path.join(dir, name)
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  const openssl = (args) => execFileSync('openssl', args, { stdio: 'ignore' })

  openssl([
    ...['req', '-x509', ...newKey, '-days', '1', '-subj', '/CN=hyperhttp bench CA'],
    ...['-keyout', file('ca-key.pem'), '-out', file('ca.pem')],
  ])
  openssl([
    ...['req', ...newKey, '-subj', '/CN=localhost'],
    ...['-keyout', file('key.pem'), '-out', file('server.csr')],
  ])
  writeFileSync(
    file('server.ext'),
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
    ].join('\n'),
  )
  openssl([
    ...['x509', '-req', '-in', file('server.csr'), '-days', '1', '-set_serial', '1'],
    ...['-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'), '-extfile', file('server.ext')],
    ...['-out', file('cert.pem')],
  ])
  return {
    certPath: file('cert.pem'),
    keyPath: file('key.pem'),
    ca: readFileSync(file('ca.pem'), 'utf8'),
  }
}
