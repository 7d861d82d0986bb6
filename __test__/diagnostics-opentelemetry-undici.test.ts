import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { Client, fetch } from '../dist/esm/index.js'
import { deferred, rejectionOf } from './helpers/async.js'
import { closeAll, closedPort, startHttpServer } from './helpers/servers.js'

// The stock undici instrumentation, set up as an application would, with no hyperhttp code.
const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const contextManager = new AsyncLocalStorageContextManager()
let instrumentation: UndiciInstrumentation

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  trace.setGlobalTracerProvider(provider)
  instrumentation = new UndiciInstrumentation()
  instrumentation.enable()
})

afterAll(async () => {
  instrumentation.disable()
  await provider.shutdown()
  trace.disable()
  propagation.disable()
  context.disable()
})

beforeEach(() => exporter.reset())
afterEach(closeAll)

/** A server recording the `traceparent` of each request. */
async function tracedServer(): Promise<{ url: string; traceparents: (string | undefined)[] }> {
  const traceparents: (string | undefined)[] = []
  const server = await startHttpServer((req, res) => {
    traceparents.push(req.headers.traceparent as string | undefined)
    res.writeHead(201, { 'content-type': 'text/plain' })
    res.end('created')
  })
  return { url: server.url, traceparents }
}

function clientSpan(): ReadableSpan {
  const spans = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT)
  expect(spans).toHaveLength(1)
  return spans[0] as ReadableSpan
}

function expectTraced(span: ReadableSpan, url: string, traceparent: string | undefined): void {
  const { port } = new URL(url)
  expect(span.name).toBe('GET')
  expect(span.attributes).toMatchObject({
    'http.request.method': 'GET',
    'url.full': `${url}/items?page=2`,
    'url.path': '/items',
    'url.query': '?page=2',
    'url.scheme': 'http',
    'server.address': '127.0.0.1',
    'server.port': Number(port),
    'http.response.status_code': 201,
  })
  expect(span.status.code).toBe(SpanStatusCode.UNSET)
  const { traceId, spanId } = span.spanContext()
  expect(traceparent).toBe(`00-${traceId}-${spanId}-01`)
}

it('a hyperhttp fetch gets a client span, and its traceparent reaches the server', async () => {
  const server = await tracedServer()
  const res = await fetch(`${server.url}/items?page=2`)
  expect(await res.text()).toBe('created')
  expectTraced(clientSpan(), server.url, server.traceparents[0])
})

it('a Client.get gets a client span inside the active parent span', async () => {
  const server = await tracedServer()
  await using client = new Client({ baseUrl: server.url })
  const parent = provider.getTracer('test').startSpan('parent')
  const res = await context.with(trace.setSpan(context.active(), parent), () =>
    client.get('/items', { query: { page: 2 } }),
  )
  await res.arrayBuffer()
  parent.end()
  const span = clientSpan()
  expectTraced(span, server.url, server.traceparents[0])
  expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId)
  expect(span.spanContext().traceId).toBe(parent.spanContext().traceId)
})

it('a refused connection ends the span with error status and error.type', async () => {
  const port = await closedPort()
  const error = await rejectionOf(fetch(`http://127.0.0.1:${port}/`))
  expect(error).toBeInstanceOf(TypeError)
  const span = clientSpan()
  expect(span.status.code).toBe(SpanStatusCode.ERROR)
  expect(span.attributes['error.type']).toBe('ERR_CONNECT')
  expect(span.attributes['http.response.status_code']).toBeUndefined()
  expect(span.events.map((event) => event.name)).toContain('exception')
})

it('an aborted request ends its span without error status, as undici aborts do', async () => {
  const arrived = deferred()
  const server = await startHttpServer(() => arrived.resolve()) // never answers
  const controller = new AbortController()
  const pending = fetch(server.url, { signal: controller.signal })
  await arrived.promise
  controller.abort()
  await rejectionOf(pending)
  const span = clientSpan()
  expect(span.status.code).toBe(SpanStatusCode.UNSET)
  expect(span.attributes['error.type']).toBeUndefined()
})

it('the span records the peer address, port and protocol of the connection', async () => {
  const server = await startHttpServer((_req, res) => res.end('ok'))
  await using client = new Client()
  expect(await (await client.get(`${server.url}/peer`)).text()).toBe('ok')
  // Read by the instrumentation from undici:client:sendHeaders.
  expect(clientSpan().attributes).toMatchObject({
    'network.peer.address': '127.0.0.1',
    'network.peer.port': server.port,
    'network.protocol.version': '1.1',
  })
})
