import { afterEach, expect, it } from 'vitest'
import { fetch } from '../dist/esm/index.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

/** Content-Type values as servers send them, answered by `/<index>`. */
const contentTypes: (string | string[] | undefined)[] = [
  'Text/HTML; Charset=UTF-8',
  'application/json; foo="Bar"; charset=utf-8',
  'text/plain;charset="utf-8"',
  '  text/plain  ',
  'text/plain; charset',
  'bogus',
  '*/*',
  '',
  ['text/html', 'text/plain; charset=latin1'],
  ['text/plain; charset=latin1', 'text/plain'],
  undefined,
]

it('blob().type is the content-type normalised exactly as Node’s fetch does', async () => {
  const server = await startHttpServer((req, res) => {
    const type = contentTypes[Number(req.url?.slice(1))]
    if (type !== undefined) res.setHeader('content-type', type)
    res.end('body')
  })
  for (const [index, type] of contentTypes.entries()) {
    const url = `${server.url}/${index}`
    const ours = await (await fetch(url)).blob()
    const node = await (await globalThis.fetch(url)).blob()
    expect(ours.type, JSON.stringify(type)).toBe(node.type)
    expect(await ours.text()).toBe('body')
  }
  expect((await (await fetch(`${server.url}/0`)).blob()).type).toBe('text/html;charset=utf-8')
})
