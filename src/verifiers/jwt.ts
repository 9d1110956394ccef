import { concatBytes, fromBase64, fromHex, fromUtf8Strict, toBase64Url, utf8 } from '../crypto/encoding.js'
import { getCrypto } from '../crypto/index.js'
import { bodyBytes } from '../request.js'
import { fail, hmacMatches, RAW_BODY_HINT, type SchemeResult, type Secrets, secretList } from './shared.js'

/** JWS algorithms this library verifies. `none` and RSA are refused. */
export type JwtAlgorithm = 'HS256' | 'ES256'

/** A decoded JWT header. */
export interface JwtHeader {
  alg: string
  kid?: string
  typ?: string
  [key: string]: unknown
}

/** Claims of a verified JWT. */
export type JwtClaims = Record<string, unknown>

/** An EC P-256 public JSON Web Key, as Plaid's key endpoint returns it. */
export interface EcPublicJwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
  [key: string]: unknown
}

/**
 * Looks up the ES256 verification key for a token's header (by `kid`): a JWK, or SPKI DER.
 * `undefined` means "no such key" (the token is refused). Called on every delivery: cache inside.
 */
export type JwtKeyLookup = (header: JwtHeader) => Promise<EcPublicJwk | Uint8Array | undefined>

/** Options of {@link verifyJwt}. */
export interface JwtSchemeOptions {
  /** The compact JWS as received. */
  token: string | undefined
  /** Algorithms accepted; the token's `alg` must be one of them. */
  algorithms: readonly JwtAlgorithm[]
  /** HS256 keys (UTF-8 text or bytes); any may have signed. */
  secret?: Secrets
  /** ES256 key lookup. */
  getKey?: JwtKeyLookup
  /** Current time, epoch ms. */
  now: number
  /** Leeway for `exp`, `nbf` and `iat` in the future. @default 0 */
  clockToleranceMs?: number
  /** Refuse tokens whose `iat` is older than this. */
  maxAgeMs?: number
  /** Require an `exp` claim. @default false */
  requireExp?: boolean
  /** Require an `iat` claim. @default false */
  requireIat?: boolean
  /** Required `iss`. */
  issuer?: string
  /** Required `sub`. */
  subject?: string
  provider?: string
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  const bytes = fromBase64(part)
  if (!bytes || part.includes('=') || part.includes('+') || part.includes('/')) return undefined
  const text = fromUtf8Strict(bytes)
  if (text === undefined) return undefined
  try {
    const value = JSON.parse(text) as unknown
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

// SubjectPublicKeyInfo head of an uncompressed P-256 key (RFC 5480); the point follows.
const P256_SPKI_HEAD = fromHex('3059301306072a8648ce3d020106082a8648ce3d030107034200') as Uint8Array

/** SPKI DER of an EC P-256 public JWK, or `undefined` if it is not one. */
export function p256JwkToSpki(jwk: EcPublicJwk): Uint8Array | undefined {
  if (jwk?.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string')
    return undefined
  const x = fromBase64(jwk.x)
  const y = fromBase64(jwk.y)
  if (!x || !y || x.length !== 32 || y.length !== 32) return undefined
  return concatBytes(P256_SPKI_HEAD, Uint8Array.of(4), x, y)
}

function numeric(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value * 1000 : undefined
}

/**
 * Verifies a compact JWS (HS256 with shared secrets, or ES256 with a key lookup) and its time
 * and identity claims. Tokens with any other `alg`, including `none`, are refused before any key
 * is touched (RFC 8725 §3.1).
 *
 * @example
 * import { verifyJwt } from 'webhook-inbox/verifiers'
 * const result = await verifyJwt({ token, algorithms: ['HS256'], secret: process.env.JWT_SECRET, now: Date.now(), requireExp: true })
 * if (result.ok) console.log(result.claims.sub)
 */
export async function verifyJwt(
  options: JwtSchemeOptions,
): Promise<SchemeResult<{ header: JwtHeader; claims: JwtClaims; signedMaterial: Uint8Array }>> {
  const { provider, now } = options
  // A missing HS256 secret is a setup mistake: throw on every call, not only when a token says HS256.
  const keys = options.algorithms.includes('HS256') ? secretList(options.secret, provider) : []
  const token = options.token?.trim()
  if (!token) return fail('missing_signature', 'the signature JWT is missing.', provider)
  const parts = token.split('.')
  if (parts.length !== 3) return fail('malformed_signature', 'the signature is not a compact JWT.', provider)
  const [head, body, sig] = parts as [string, string, string]
  const header = decodeJson(head) as JwtHeader | undefined
  const claims = decodeJson(body)
  const signature = /^[A-Za-z0-9_-]+$/.test(sig) ? fromBase64(sig) : undefined
  // `kid` reaches the caller's key lookup, typed as a string: hold the network to that type.
  if (
    !header ||
    !claims ||
    !signature ||
    typeof header.alg !== 'string' ||
    !['string', 'undefined'].includes(typeof header.kid)
  ) {
    return fail('malformed_signature', 'the signature JWT is not valid base64url JSON.', provider)
  }
  const alg = header.alg as JwtAlgorithm
  if (!options.algorithms.includes(alg)) {
    return fail('malformed_signature', `the JWT algorithm is not one of ${options.algorithms.join(', ')}.`, provider)
  }
  const signed = utf8(`${head}.${body}`)
  let ok = false
  if (alg === 'HS256') {
    ok = signature.length === 32 && (await hmacMatches('sha256', keys, signed, [signature]))
  } else {
    let key: EcPublicJwk | Uint8Array | undefined
    try {
      key = await options.getKey?.(header)
    } catch {
      return fail(
        'certificate_error',
        'the JWT verification key could not be fetched; the provider will retry.',
        provider,
      )
    }
    const spki = key instanceof Uint8Array ? key : key ? p256JwkToSpki(key) : undefined
    if (!spki) return fail('invalid_signature', 'no verification key is known for this JWT `kid`.', provider)
    ok = signature.length === 64 && (await getCrypto().verifyEcdsaP256(spki, signature, signed))
  }
  if (!ok) return fail('invalid_signature', 'the JWT signature does not match.', provider)

  const leeway = options.clockToleranceMs ?? 0
  const exp = numeric(claims.exp)
  const nbf = numeric(claims.nbf)
  const iat = numeric(claims.iat)
  if ((claims.exp !== undefined && exp === undefined) || (options.requireExp && exp === undefined)) {
    return fail('malformed_timestamp', 'the JWT has no numeric `exp`.', provider)
  }
  if ((claims.iat !== undefined && iat === undefined) || (options.requireIat && iat === undefined)) {
    return fail('malformed_timestamp', 'the JWT has no numeric `iat`.', provider)
  }
  if (claims.nbf !== undefined && nbf === undefined) {
    return fail('malformed_timestamp', 'the JWT `nbf` is not a number.', provider)
  }
  if (exp !== undefined && now - leeway >= exp) return fail('timestamp_too_old', 'the JWT has expired.', provider)
  if (iat !== undefined && options.maxAgeMs !== undefined && now - iat > options.maxAgeMs) {
    return fail('timestamp_too_old', `the JWT was issued more than ${options.maxAgeMs} ms ago.`, provider)
  }
  if (nbf !== undefined && nbf - now > leeway)
    return fail('timestamp_in_future', 'the JWT is not valid yet (`nbf`).', provider)
  if (iat !== undefined && iat - now > leeway) {
    return fail('timestamp_in_future', 'the JWT was issued in the future: check the server clock.', provider)
  }
  if (options.issuer !== undefined && claims.iss !== options.issuer) {
    return fail('invalid_token', `the JWT issuer is not "${options.issuer}".`, provider)
  }
  if (options.subject !== undefined && claims.sub !== options.subject) {
    return fail(
      'url_mismatch',
      'the JWT subject is not this endpoint URL: pass the public URL the provider calls (adapter `publicUrl`).',
      provider,
    )
  }
  return { ok: true, header, claims, signedMaterial: signed }
}

/** Options of {@link verifyQStash}. */
export interface QStashSchemeOptions {
  /** `Upstash-Signature` as received. */
  token: string | undefined
  payload: Uint8Array | string
  /** Current and next signing keys. */
  secret: Secrets
  /** When set, the token's `sub` must equal it: the public URL QStash called. */
  url?: string
  now: number
  /** The largest age of `iat`. @default 300000 */
  toleranceMs?: number
  /**
   * Leeway for `exp`, `nbf` and a future `iat`. A token is expired at `exp` itself, as jose
   * (which @upstash/qstash uses) decides.
   * @default 0 (as @upstash/qstash's `clockTolerance`)
   */
  clockToleranceMs?: number
  provider?: string
}

/**
 * Upstash QStash: `Upstash-Signature` is an HS256 JWT signed with the current or next signing
 * key, `iss` "Upstash", `sub` the destination URL, and `body` the base64url SHA-256 of the raw
 * body (@upstash/qstash Receiver.verify).
 *
 * @example
 * import { verifyQStash } from 'webhook-inbox/verifiers'
 * const result = await verifyQStash({ token: req.headers['upstash-signature'], payload: rawBody, now: Date.now(),
 *   secret: [process.env.QSTASH_CURRENT_SIGNING_KEY, process.env.QSTASH_NEXT_SIGNING_KEY] })
 */
export async function verifyQStash(
  options: QStashSchemeOptions,
): Promise<SchemeResult<{ claims: JwtClaims; timestamp: number; signedMaterial: Uint8Array }>> {
  const { provider } = options
  const toleranceMs = options.toleranceMs ?? 300_000
  const verified = await verifyJwt({
    token: options.token,
    algorithms: ['HS256'],
    secret: options.secret,
    now: options.now,
    clockToleranceMs: options.clockToleranceMs ?? 0,
    maxAgeMs: toleranceMs,
    requireExp: true,
    issuer: 'Upstash',
    subject: options.url,
    provider,
  })
  if (!verified.ok) return verified
  const { claims } = verified
  const hash = toBase64Url(await getCrypto().digest('SHA-256', bodyBytes(options.payload)))
  const claimed = typeof claims.body === 'string' ? claims.body.replace(/=+$/, '') : ''
  if (!getCrypto().timingSafeEqual(utf8(claimed), utf8(hash))) {
    return fail('invalid_signature', `the body does not match the JWT's body hash. ${RAW_BODY_HINT}`, provider)
  }
  const timestamp = numeric(claims.iat) ?? numeric(claims.nbf) ?? (numeric(claims.exp) as number) - 300_000
  return { ok: true, claims, timestamp, signedMaterial: verified.signedMaterial }
}

/** Options of {@link verifyPlaid}. */
export interface PlaidSchemeOptions {
  /** `Plaid-Verification` as received. */
  token: string | undefined
  payload: Uint8Array | string
  /** Returns the JWK for the token's `kid` (from Plaid's `/webhook_verification_key/get`); cache it. */
  getKey: JwtKeyLookup
  now: number
  /** Largest age of `iat`, and the leeway for clocks. @default 300000 (Plaid's 5 minutes) */
  toleranceMs?: number
  provider?: string
}

/**
 * Plaid: `Plaid-Verification` is an ES256 JWT whose `kid` names a key from Plaid's API; `iat`
 * must be at most 5 minutes old and `request_body_sha256` must equal the hex SHA-256 of the raw
 * body (plaid.com/docs "Webhook verification"). Plaid's retries are signed again.
 *
 * @example
 * import { verifyPlaid } from 'webhook-inbox/verifiers'
 * const result = await verifyPlaid({ token: req.headers['plaid-verification'], payload: rawBody, now: Date.now(),
 *   getKey: async ({ kid }) => (kid ? (cachedKeys.get(kid) ?? fetchPlaidKey(kid)) : undefined) })
 */
export async function verifyPlaid(
  options: PlaidSchemeOptions,
): Promise<SchemeResult<{ claims: JwtClaims; timestamp: number; signedMaterial: Uint8Array }>> {
  const { provider } = options
  const toleranceMs = options.toleranceMs ?? 300_000
  const verified = await verifyJwt({
    token: options.token,
    algorithms: ['ES256'],
    getKey: options.getKey,
    now: options.now,
    clockToleranceMs: toleranceMs,
    maxAgeMs: toleranceMs,
    requireIat: true,
    provider,
  })
  if (!verified.ok) return verified
  const { claims } = verified
  const hash = await getCrypto().digest('SHA-256', bodyBytes(options.payload))
  const claimed = typeof claims.request_body_sha256 === 'string' ? fromHex(claims.request_body_sha256) : undefined
  if (!claimed || !getCrypto().timingSafeEqual(claimed, hash)) {
    return fail('invalid_signature', `the body does not match request_body_sha256. ${RAW_BODY_HINT}`, provider)
  }
  return { ok: true, claims, timestamp: numeric(claims.iat) as number, signedMaterial: verified.signedMaterial }
}
