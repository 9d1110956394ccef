// Schemes of this family group; one export line per scheme file.
export { type EmbeddedHmacOptions, signEmbeddedHmac, verifyEmbeddedHmac } from './embedded-hmac.js'
export {
  type BasicAuthOptions,
  basicAuthCredentials,
  type SharedTokenOptions,
  tokenMatches,
  verifyBasicAuth,
  verifySharedToken,
} from './shared-token.js'
