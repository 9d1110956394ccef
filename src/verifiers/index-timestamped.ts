// Schemes of this family group; one export line per scheme file.
export {
  type ContentfulRequestOptions,
  contentfulKeys,
  signContentful,
  verifyContentfulRequest,
} from './contentful.js'
export {
  type BaseStringParts,
  parseTimestamp,
  type SeparateTimestampFormat,
  type SeparateTimestampOptions,
  signSeparateTimestamp,
  type TimestampFormat,
  verifySeparateTimestamp,
} from './separate-timestamp.js'
