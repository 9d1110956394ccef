// Schemes of this family group; one export line per scheme file.
export { type EmbeddedHmacOptions, signEmbeddedHmac, verifyEmbeddedHmac } from './embedded-hmac.js'
export {
  type BasicAuthOptions,
  basicAuthCredentials,
  type SharedTokenOptions,
  tokenDigests,
  tokenMatches,
  tokenMatchesDigests,
  verifyBasicAuth,
  verifySharedToken,
} from './shared-token.js'
