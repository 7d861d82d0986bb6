/**
 * Scripted origins for tests of code that uses hyperhttp: {@link MockAgent}.
 *
 * @example
 * ```ts
 * import { MockAgent } from 'hyperhttp/testing'
 * const agent = new MockAgent()
 * agent.get('https://api.example.com').intercept({ path: '/health' }).reply(200, 'ok')
 * agent.install() // hyperhttp's fetch now talks to the agent
 * ```
 * @packageDocumentation
 */
export { MockNotMatchedError } from './errors.js'
export { type FailConnectOptions, MockAgent, MockOrigin } from './mock/agent.js'
export {
  type InterceptOptions,
  type MockBody,
  type MockedRequest,
  MockInterceptor,
  type MockNetworkError,
  type MockReply,
  type MockReplyFunction,
  type MockReplyOptions,
  MockScope,
  type StringMatcher,
} from './mock/interceptor.js'
