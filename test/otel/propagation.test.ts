import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api'
import { afterEach, describe, expect, it } from 'vitest'
import { contextFromHeaders } from '../../src/otel/index.js'
import { injectTraceContext } from '../../src/otel/propagation.js'
import { telemetry } from './telemetry.js'

let sdk = telemetry()
afterEach(async () => {
  await sdk.shutdown()
  sdk = telemetry()
})

describe('injectTraceContext and contextFromHeaders', () => {
  it('round-trip the sampled flag and tracestate without a global propagator', () => {
    const span = sdk.tracer.startSpan('x')
    const headers: Record<string, string> = {}
    injectTraceContext(trace.setSpan(ROOT_CONTEXT, span), headers)
    span.end()
    const { traceId, spanId } = span.spanContext()
    expect(headers.traceparent).toBe(`00-${traceId}-${spanId}-01`)
    expect(trace.getSpanContext(contextFromHeaders(headers))).toMatchObject({ traceId, spanId, isRemote: true })
  })

  it('ignores a malformed or all-zero traceparent and missing headers', () => {
    const base = context.active()
    for (const traceparent of ['garbage', `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`, '00-abc-def-01']) {
      expect(contextFromHeaders({ traceparent }, base)).toBe(base)
    }
    expect(contextFromHeaders(undefined, base)).toBe(base)
  })
})
