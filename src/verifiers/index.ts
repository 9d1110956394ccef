/**
 * Pure signature schemes, for users who only want verification. Each takes the raw bytes,
 * header values, secret(s) and `now`, and returns `{ ok: true, ... }` or `{ ok: false, error }`.
 * @module
 */
export { type HmacSchemeOptions, signHmac, verifyHmac } from './hmac.js'
export * from './index-body-hmac-and-token.js'
export * from './index-timestamped.js'
export * from './index-url-key-certificate-jwt.js'
export type {
  HmacAlgorithm,
  SchemeResult,
  Secret,
  Secrets,
  SignatureEncoding,
  ToleranceOptions,
} from './shared.js'
export {
  type StandardWebhooksOptions,
  type StandardWebhooksSecretFormat,
  signStandardWebhooks,
  standardWebhooksKeys,
  standardWebhooksPublicKeys,
  verifyStandardWebhooks,
} from './standard-webhooks.js'
export {
  signTimestampedHeader,
  type TimestampedHeaderFormat,
  type TimestampedHeaderOptions,
  verifyTimestampedHeader,
} from './timestamped.js'
