import { loadNodeCrypto, nodeCrypto } from './node.js'
import type { CryptoBackend } from './types.js'
import { webCrypto } from './web.js'

export { constantTimeEqual } from './compare.js'
export { derToRawEcdsa } from './der.js'
export * from './encoding.js'
export { loadNodeCrypto, nodeCrypto } from './node.js'
export type { CryptoBackend, HashAlgorithm } from './types.js'
export { webCrypto } from './web.js'

let selected: CryptoBackend | undefined

/** The back end for this runtime: `node:crypto` where Node's built-ins load, Web Crypto elsewhere. */
export function getCrypto(): CryptoBackend {
  if (!selected) {
    const node = loadNodeCrypto()
    selected = node ? nodeCrypto(node) : webCrypto()
  }
  return selected
}
