import type { Provider } from '../../../src/types.js'

/** Families E (URL HMAC), F (Ed25519), G (ECDSA), H (certificate/RSA) and I (JWT). */
export const familyEi: Record<string, () => Provider> = {}
