// Internal: the shape shared by the family A presets (an HMAC of the raw body in one header).
// Not exported from webhook-inbox/providers; each preset documents itself.
import type { Provider, ProviderInfo } from '../types.js'
import { verifyHmac } from '../verifiers/hmac.js'
import type { HmacAlgorithm, SignatureEncoding } from '../verifiers/shared.js'
import { type DeliveryContext, defineProvider, type ProviderDefinition } from './define.js'

/** A family A preset: its definition minus `verify`, plus where and how the body HMAC is written. */
export interface HmacBodySpec<T> extends Omit<ProviderDefinition<T>, 'verify' | 'info'>, Pick<ProviderInfo, 'title'> {
  /** The handshake, for the README table. */
  handshakeInfo?: string
  /** Where the id comes from, for the README table. */
  idSource: string
  /** Where the type comes from, for the README table. */
  typeSource: string
  /** Whether the type is read from signed bytes only. */
  typeSigned: boolean
  /** Which answers the provider retries, for the README table. */
  retries: string
  /** Header holding the signature (lower case), or a reader for presets with several spellings. */
  signature: string | ((d: DeliveryContext) => string | undefined)
  /** Headers listed in the README table, as the provider spells them. */
  headers: readonly string[]
  keys: Uint8Array[]
  algorithm: HmacAlgorithm
  encoding: SignatureEncoding
  prefix?: string
}

/** Builds a preset that verifies an HMAC of the raw body, and fills its README `info`. */
export function hmacBodyProvider<T>(spec: HmacBodySpec<T>): Provider<T> {
  const {
    signature,
    keys,
    algorithm,
    encoding,
    prefix = '',
    title,
    idSource,
    typeSource,
    typeSigned,
    handshakeInfo,
    headers,
    retries,
    ...rest
  } = spec
  const read = typeof signature === 'string' ? (d: DeliveryContext) => d.header(signature) : signature
  const scheme = `HMAC-${algorithm.replace('sha', 'SHA')} ${encoding} of the body${prefix ? `, \`${prefix}\` prefix` : ''}`
  return defineProvider<T>({
    ...rest,
    signatureHeaders: rest.signatureHeaders ?? (typeof signature === 'string' ? [signature] : []),
    info: {
      title,
      scheme,
      headers,
      id: idSource,
      type: typeSource,
      typeSigned,
      retries,
      ...(handshakeInfo ? { handshake: handshakeInfo } : {}),
    },
    verify: (d) =>
      verifyHmac({
        payload: d.bytes,
        signature: read(d),
        secret: keys,
        algorithm,
        encoding,
        prefix,
        provider: rest.name,
      }),
  })
}
