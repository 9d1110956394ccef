/**
 * webhook-inbox: receive webhooks safely. Verify the signature over the raw bytes, dedupe by
 * event id, hand the event to your queue, and answer with the status the provider's retries need.
 * @module
 */
export { type AdapterRefusal, createWebhookHandler, type WebhookHandler } from './core/handler.js'
export type { WebhookLogger } from './core/log.js'
export type {
  AcceptedInfo,
  DeliveryStep,
  DeliveryStepRunner,
  EnqueueContext,
  ErrorInfo,
  HandlerInstrumentation,
  RejectedInfo,
  ResolvedTimings,
  WebhookHandlerOptions,
} from './core/options.js'
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
export {
  createEventRouter,
  type EventOrdering,
  type EventRouter,
  type EventRouterOptions,
  type RoutedEvent,
  type RouteHandler,
  type RouteKey,
  type RouteOutcome,
  type UnroutedPolicy,
} from './events/router.js'
export { type PayloadSchemas, WebhookPayloadError, withSchemas } from './events/schemas.js'
export type { StandardSchemaV1 } from './events/standard-schema.js'
export { type MemoryInbox, type MemoryInboxOptions, memoryInbox } from './inbox/memory.js'
export type {
  AcceptResult,
  DeadInfo,
  Inbox,
  InboxDelivery,
  InboxError,
  InboxFailure,
  InboxLease,
  InboxListOptions,
  InboxPage,
  InboxPruneOptions,
  InboxQuery,
  InboxRecord,
  InboxReplayFilter,
  InboxState,
  InboxStats,
  InboxVerifyResult,
  InboxWorker,
  InboxWorkerOptions,
  ProcessContext,
  WorkerErrorInfo,
} from './inbox/types.js'
export { createInboxWorker } from './inbox/worker.js'
export { getHeader, normalizeHeaders } from './request.js'
export { type MemoryStore, type MemoryStoreOptions, memoryStore } from './stores/memory.js'
export { singleKeyStore } from './stores/single-key.js'
export type { ClaimResult, DedupeStore, SingleKeyDedupeStore } from './stores/types.js'
export type {
  EventMap,
  HeadersInput,
  PayloadOf,
  Provider,
  ProviderInfo,
  StatusRange,
  VerifyOptions,
  VerifyResult,
  WebhookEvent,
  WebhookEventFields,
  WebhookRequest,
  WebhookResponse,
} from './types.js'
