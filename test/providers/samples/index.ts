import type { Provider } from '../../../src/types.js'
import { familyA } from './body-hmac-and-token.js'
import { familyBcd } from './timestamped.js'
import { familyEi } from './url-key-certificate-jwt.js'

/**
 * One sample configuration per preset, keyed by the preset's export name, in README order.
 * The README provider table is generated from these (`npm run docs:providers`) and a test checks
 * that the README matches. Each family file belongs to the engineer who writes that family.
 */
export const presetSamples: Record<string, () => Provider> = { ...familyA, ...familyBcd, ...familyEi }
