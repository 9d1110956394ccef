/**
 * Test helpers: request signers (the inverse of each preset), sample events, a recording fake
 * store, and the dedupe-store conformance suite.
 * @module
 */

export { type TestEnqueueOptions, type TestEnqueueReport, testEnqueue } from './enqueue-check.js'
export { type RecordingStore, recordingStore, type StoreCall } from './fake-store.js'
export { type InboxSuiteEffects, type InboxSuiteOptions, testInbox } from './inbox-suite.js'
export {
  SAMPLE_PROVIDERS,
  type SampleEvent,
  type SampleEventOptions,
  type SampleProvider,
  sampleEvent,
  sampleEventTypes,
} from './samples.js'
export {
  type SignerBase,
  signGitHubRequest,
  signHmacRequest,
  signStandardWebhooksRequest,
  signStripeRequest,
  toFetchRequest,
} from './signers.js'
export * from './signers-body-hmac-and-token.js'
export * from './signers-timestamped.js'
export * from './signers-url-key-certificate-jwt.js'
export { type DedupeStoreSuiteOptions, testDedupeStore } from './store-suite.js'
