import { afterEach, expect, it } from 'vitest'
import { Client, InvalidArgumentError } from '../dist/esm/index.js'
import { startRecordingServer } from './helpers/recording.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

afterEach(closeAll)

it('fails the request with what a progress callback threw', async () => {
  const server = await startRecordingServer()
  await using client = new Client()
  const thrown = new Error('progress handler failed')

  const upload = client.post(server.url, {
    body: 'payload',
    onUploadProgress: () => {
      throw thrown
    },
  })

  await expect(upload).rejects.toBe(thrown)
})

it('fails the download with what a download progress callback threw', async () => {
  const server = await startHttpServer((_req, res) => {
    res.write(Buffer.alloc(256 * 1024))
    setTimeout(() => res.end(Buffer.alloc(256 * 1024)), 100)
  })
  await using client = new Client()
  const thrown = new Error('progress handler failed')
  let calls = 0

  const read = client
    .get(server.url, {
      onDownloadProgress: () => {
        calls += 1
        throw thrown
      },
    })
    .then((res) => res.arrayBuffer())

  await expect(read).rejects.toBe(thrown)
  expect(calls).toBe(1)
})

it('refuses a progress option that is not a function', async () => {
  await using client = new Client()
  await expect(
    client.get('http://127.0.0.1:9/', { onDownloadProgress: 'yes' as never }),
  ).rejects.toThrow(InvalidArgumentError)
})
