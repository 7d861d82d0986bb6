import { expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'

it.each([
  [{ lookup: 'dns' }, 'lookup must be a function'],
  [{ addressFilter: true }, 'addressFilter must be a function'],
  [{ dnsCache: { ttl: 0 } }, 'dnsCache.ttl must be a positive number'],
  [{ dnsCache: { size: 1 } }, 'unknown option dnsCache.size'],
  [{ autoSelectFamilyAttemptTimeout: 5 }, 'autoSelectFamilyAttemptTimeout must be at least 10'],
  [{ localAddress: 'localhost' }, 'localAddress must be an IPv4 or IPv6 address'],
])('%o is refused', (options, message) => {
  expect(() => new Client(options as never)).toThrow(InvalidArgumentError)
  expect(() => new Client(options as never)).toThrow(message)
})
