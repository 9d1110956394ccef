/**
 * Provider presets. Each verifies one provider's requests exactly as it signs them and knows
 * where its event id, type and timestamp live, its tolerance, retry window and deadline.
 * @module
 */
export {
  type BodyFormat,
  type DeliveryContext,
  defineProvider,
  fallbackId,
  type ProviderDefinition,
  type SchemeSuccess,
} from './define.js'
export { type GitHubOptions, github } from './github.js'
export { type HmacProviderOptions, hmac } from './hmac.js'
export * from './index-body-hmac-and-token.js'
export * from './index-timestamped.js'
export * from './index-url-key-certificate-jwt.js'
export { type StandardWebhooksProviderOptions, standardWebhooks } from './standard-webhooks.js'
export { type StripeOptions, stripe } from './stripe.js'
