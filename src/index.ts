/**
 * webhook-inbox: receive webhooks safely. Verify the signature over the raw bytes, dedupe by
 * event id, hand the event to your queue, and answer with the status the provider's retries need.
 * @module
 */
export { type AdapterRefusal, createWebhookHandler, type WebhookHandler } from './core/handler.js'
export type { EnqueueContext, ErrorInfo, RejectedInfo, ResolvedTimings, WebhookHandlerOptions } from './core/options.js'
export {
  ERROR_STATUS,
  isWebhookError,
  WebhookConfigError,
  WebhookError,
  type WebhookErrorCode,
  type WebhookErrorOptions,
  WebhookStoreError,
  WebhookVerificationError,
} from './errors.js'
export { getHeader, normalizeHeaders } from './request.js'
export { type MemoryStoreOptions, memoryStore } from './stores/memory.js'
export type { ClaimResult, DedupeStore } from './stores/types.js'
export type {
  HeadersInput,
  Provider,
  ProviderInfo,
  StatusRange,
  VerifyOptions,
  VerifyResult,
  WebhookEvent,
  WebhookRequest,
  WebhookResponse,
} from './types.js'
