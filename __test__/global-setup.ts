import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import type { CertificatePaths } from './helpers/certificates.js'

const OPENSSL_CONFIG = `
[ req ]
distinguished_name = dn
prompt = no

[ dn ]
CN = placeholder

[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ localhost_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ self_signed_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash

[ self_signed_ca_ext ]
basicConstraints = critical, CA:TRUE
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash

[ example_test_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:example.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ wrong_host_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ client_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ ca ]
default_ca = test_ca

[ test_ca ]
database = $ENV::HH_CERT_DIR/index.txt
new_certs_dir = $ENV::HH_CERT_DIR
serial = $ENV::HH_CERT_DIR/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none

[ policy_any ]
commonName = supplied
`

const DAY = 24 * 60 * 60 * 1000

function opensslDate(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`
}

/** Generates the test PKI with openssl: one CA and the leaves the TLS tests need. */
function generateCertificates(dir: string): CertificatePaths {
  const config = join(dir, 'openssl.cnf')
  writeFileSync(config, OPENSSL_CONFIG)
  writeFileSync(join(dir, 'index.txt'), '')
  writeFileSync(join(dir, 'serial'), '1000\n')
  const env = { ...process.env, HH_CERT_DIR: dir }
  const openssl = (...args: string[]) => execFileSync('openssl', args, { env, stdio: 'pipe' })
  const path = (name: string) => join(dir, name)

  const newKey = (name: string) =>
    openssl(
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      path(`${name}.key`),
    )

  const selfSign = (name: string, cn: string, extensions: string) => {
    newKey(name)
    openssl(
      'req',
      '-x509',
      '-config',
      config,
      '-extensions',
      extensions,
      '-key',
      path(`${name}.key`),
      '-subj',
      `/CN=${cn}`,
      '-days',
      '3650',
      '-out',
      path(`${name}.pem`),
    )
  }

  const signByCa = (name: string, cn: string, extensions: string, validity: string[]) => {
    newKey(name)
    openssl(
      'req',
      '-new',
      '-config',
      config,
      '-key',
      path(`${name}.key`),
      '-subj',
      `/CN=${cn}`,
      '-out',
      path(`${name}.csr`),
    )
    openssl(
      'ca',
      '-batch',
      '-notext',
      '-config',
      config,
      '-extensions',
      extensions,
      '-cert',
      path('ca.pem'),
      '-keyfile',
      path('ca.key'),
      '-in',
      path(`${name}.csr`),
      '-out',
      path(`${name}.pem`),
      ...validity,
    )
  }

  // Backdated a day so that clock granularity never makes a fresh leaf "not yet valid".
  const valid = [
    '-startdate',
    opensslDate(Date.now() - DAY),
    '-enddate',
    opensslDate(Date.now() + 800 * DAY),
  ]
  selfSign('ca', 'hyperhttp test CA', 'ca_ext')
  signByCa('localhost', 'localhost', 'localhost_ext', valid)
  signByCa('expired', 'localhost', 'localhost_ext', [
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20210101000000Z',
  ])
  signByCa('wrong-host', 'wrong.example', 'wrong_host_ext', valid)
  signByCa('client', 'hyperhttp-test-client', 'client_ext', valid)
  signByCa('example-test', 'example.test', 'example_test_ext', valid)
  selfSign('self-signed', 'localhost', 'self_signed_ext')
  selfSign('self-signed-ca', 'localhost', 'self_signed_ca_ext')

  const pair = (name: string) => ({ cert: path(`${name}.pem`), key: path(`${name}.key`) })
  return {
    dir,
    ca: path('ca.pem'),
    localhost: pair('localhost'),
    selfSigned: pair('self-signed'),
    selfSignedCa: pair('self-signed-ca'),
    exampleTest: pair('example-test'),
    expired: pair('expired'),
    wrongHost: pair('wrong-host'),
    client: pair('client'),
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'hyperhttp-certs-'))
  project.provide('certificates', generateCertificates(dir))
  return () => rmSync(dir, { recursive: true, force: true })
}
