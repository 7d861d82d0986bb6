import { context, SpanKind, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { Client } from '../dist/esm/index.js'
import { closeAll, startHttpServer } from './helpers/servers.js'

// The stock undici instrumentation reads the peer from `undici:client:sendHeaders`.
const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const contextManager = new AsyncLocalStorageContextManager()
let instrumentation: UndiciInstrumentation

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable())
  trace.setGlobalTracerProvider(provider)
  instrumentation = new UndiciInstrumentation()
  instrumentation.enable()
})

afterAll(async () => {
  instrumentation.disable()
  await provider.shutdown()
  trace.disable()
  context.disable()
})

afterEach(closeAll)

it('the undici instrumentation records the peer address, port and protocol of the connection', async () => {
  const server = await startHttpServer((_req, res) => res.end('ok'))
  await using client = new Client()
  expect(await (await client.get(`${server.url}/peer`)).text()).toBe('ok')
  const spans = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT)
  expect(spans).toHaveLength(1)
  expect(spans[0]?.attributes).toMatchObject({
    'network.peer.address': '127.0.0.1',
    'network.peer.port': server.port,
    'network.protocol.version': '1.1',
  })
})
