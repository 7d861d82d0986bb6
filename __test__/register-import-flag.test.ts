import { afterEach, expect, it } from 'vitest'
import { runNode } from './helpers/child-process.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

// Loaded before hyperhttp/register, so the child can compare with the platform's globals.
const capturePlatformGlobals =
  'data:text/javascript,globalThis.platform={fetch,Request,Headers,Response,FormData}'

it('node --import hyperhttp/register makes the global fetch hyperhttp’s and leaves the other globals', async () => {
  const server = await startHttpServer((_req, res) => res.end('served'))
  const result = await runNode([
    '--import',
    capturePlatformGlobals,
    '--import',
    'hyperhttp/register',
    '--input-type=module',
    '--eval',
    `
    const hyperhttp = await import('hyperhttp');
    const res = await fetch(${JSON.stringify(server.url)});
    console.log(JSON.stringify({
      body: await res.text(),
      isHyperhttp: globalThis.fetch === hyperhttp.fetch,
      replaced: globalThis.fetch !== platform.fetch,
      othersKept: ['Request', 'Headers', 'Response', 'FormData'].every((name) => globalThis[name] === platform[name]),
    }));
    `,
  ])
  expect(result.code, result.stderr).toBe(0)
  expect(JSON.parse(result.stdout)).toEqual({
    body: 'served',
    isHyperhttp: true,
    replaced: true,
    othersKept: true,
  })
  expect(server.connections.total).toBe(1)
})
