import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { afterEach, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

const UNDICI = ['create', 'headers', 'trailers', 'error'].map((e) => `undici:request:${e}`)

/** Counts the undici-channel and hyperhttp-create messages published while `run` runs. */
async function countDuring(run: () => Promise<void>): Promise<{ undici: string[]; own: number }> {
  const undici: string[] = []
  let own = 0
  const listeners = UNDICI.map((name) => [name, () => undici.push(name.slice(15))] as const)
  const onCreate = () => own++
  for (const [name, listener] of listeners) subscribe(name, listener)
  subscribe('hyperhttp:request:create', onCreate)
  try {
    await run()
  } finally {
    for (const [name, listener] of listeners) unsubscribe(name, listener)
    unsubscribe('hyperhttp:request:create', onCreate)
  }
  return { undici, own }
}

afterEach(closeAll)

it('the undici bridge is on by default and `undiciChannels: false` turns it off', async () => {
  const server = await startHttpServer((_req, res) => res.end('ok'))
  await using bridged = new Client()
  await using quiet = new Client({ undiciChannels: false })
  const on = await countDuring(async () => {
    await (await bridged.get(server.url)).text()
  })
  expect(on).toEqual({ undici: ['create', 'headers', 'trailers'], own: 1 })
  const off = await countDuring(async () => {
    await (await quiet.get(server.url)).text()
  })
  expect(off).toEqual({ undici: [], own: 1 })
})

it('undiciChannels must be a boolean', () => {
  expect(() => new Client({ undiciChannels: 'no' as unknown as boolean })).toThrow(
    InvalidArgumentError,
  )
})
