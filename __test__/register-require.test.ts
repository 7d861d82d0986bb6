import { afterEach, expect, it } from 'vitest'
import { runNode } from './helpers/child-process.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

it('require("hyperhttp/register") makes the global fetch hyperhttp’s in CommonJS', async () => {
  const server = await startHttpServer((_req, res) => res.end('served'))
  const result = await runNode([
    '--input-type=commonjs',
    '--eval',
    `
    const platform = { fetch, Request, Headers, Response, FormData };
    const registration = require('hyperhttp/register');
    const hyperhttp = require('hyperhttp');
    fetch(${JSON.stringify(server.url)}).then(async (res) => {
      console.log(JSON.stringify({
        body: await res.text(),
        isHyperhttp: globalThis.fetch === hyperhttp.fetch,
        isRegistered: registration.isRegistered(),
        othersKept: ['Request', 'Headers', 'Response', 'FormData'].every((name) => globalThis[name] === platform[name]),
      }));
    });
    `,
  ])
  expect(result.code, result.stderr).toBe(0)
  expect(JSON.parse(result.stdout)).toEqual({
    body: 'served',
    isHyperhttp: true,
    isRegistered: true,
    othersKept: true,
  })
  expect(server.connections.total).toBe(1)
})
