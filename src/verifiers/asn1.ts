import { fromBase64 } from '../crypto/encoding.js'

/** One DER element: its tag, and where its header and contents lie in the input. */
export interface DerElement {
  tag: number
  /** Offset of the tag byte. */
  start: number
  /** Offset of the first content byte. */
  contentStart: number
  /** Offset just past the element. */
  end: number
}

/** Reads the DER element at `offset`, or `undefined` when it is malformed or runs past `limit`. */
export function readDer(bytes: Uint8Array, offset: number, limit = bytes.length): DerElement | undefined {
  let i = offset
  if (i + 2 > limit) return undefined
  const tag = bytes[i++] as number
  // Multi-byte tags never appear in the structures read here.
  if ((tag & 0x1f) === 0x1f) return undefined
  let length = bytes[i++] as number
  if (length & 0x80) {
    const count = length & 0x7f
    if (count === 0 || count > 4 || i + count > limit) return undefined
    length = 0
    for (let k = 0; k < count; k++) length = length * 256 + (bytes[i++] as number)
  }
  const end = i + length
  if (end > limit) return undefined
  return { tag, start: offset, contentStart: i, end }
}

/** The child elements of a constructed element, or `undefined` if any is malformed. */
export function derChildren(bytes: Uint8Array, parent: DerElement): DerElement[] | undefined {
  const out: DerElement[] = []
  let i = parent.contentStart
  while (i < parent.end) {
    const child = readDer(bytes, i, parent.end)
    if (!child) return undefined
    out.push(child)
    i = child.end
  }
  return out
}

/**
 * The DER bytes inside a PEM block with `label` (e.g. `CERTIFICATE`, `PUBLIC KEY`), or of the
 * first block when no label is given. `undefined` when there is none or it is not base64.
 */
export function pemToDer(pem: string, label?: string): Uint8Array | undefined {
  const pattern = label
    ? new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]*?)-----END ${label}-----`)
    : /-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*?)-----END \1-----/
  const match = pattern.exec(pem)
  if (!match) return undefined
  const body = (label ? match[1] : match[2]) ?? ''
  const der = fromBase64(body.replace(/\s+/g, ''))
  return der && der.length > 0 ? der : undefined
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The algorithm OID (its DER contents) of a SubjectPublicKeyInfo, or `undefined`. */
export function spkiAlgorithm(spki: Uint8Array): Uint8Array | undefined {
  const root = readDer(spki, 0)
  if (root?.tag !== 0x30 || root.end !== spki.length) return undefined
  const [algorithm, key] = derChildren(spki, root) ?? []
  if (algorithm?.tag !== 0x30 || !key || key.tag !== 0x03) return undefined
  const oid = readDer(spki, algorithm.contentStart, algorithm.end)
  if (oid?.tag !== 0x06) return undefined
  return spki.subarray(oid.contentStart, oid.end)
}

/** OID 1.2.840.113549.1.1.1 (rsaEncryption). */
export const RSA_OID = Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01)
/** OID 1.2.840.10045.2.1 (id-ecPublicKey). */
export const EC_OID = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01)

export function oidEquals(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && bytesEqual(a, b)
}

function parseTime(bytes: Uint8Array, element: DerElement): number | undefined {
  // Both forms are at most 15 characters; spreading a longer hostile element could overflow the stack.
  if (element.end - element.contentStart > 15) return undefined
  const text = String.fromCharCode(...bytes.subarray(element.contentStart, element.end))
  // UTCTime YYMMDDHHMMSSZ (years 1950–2049) or GeneralizedTime YYYYMMDDHHMMSSZ (RFC 5280 §4.1.2.5).
  const match =
    element.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : element.tag === 0x18
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
        : null
  if (!match) return undefined
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[]
  const year = element.tag === 0x17 ? ((y as number) < 50 ? 2000 + (y as number) : 1900 + (y as number)) : (y as number)
  return Date.UTC(year, (mo as number) - 1, d, h, mi, s)
}

/** What {@link readCertificate} extracts from an X.509 certificate. */
export interface CertificateInfo {
  /** SubjectPublicKeyInfo, DER: what `verifyRsaPkcs1` takes. */
  publicKey: Uint8Array
  /** Validity, epoch ms. */
  notBefore: number
  notAfter: number
}

/**
 * Reads an X.509 certificate (PEM or DER) far enough to get its public key and validity:
 * Certificate → tbsCertificate → validity, subjectPublicKeyInfo (RFC 5280 §4.1). It does not
 * check the certificate chain: trust comes from fetching it only from an allowed HTTPS host.
 */
export function readCertificate(input: string | Uint8Array): CertificateInfo | undefined {
  const der = typeof input === 'string' ? pemToDer(input, 'CERTIFICATE') : input
  if (!der) return undefined
  const root = readDer(der, 0)
  if (root?.tag !== 0x30) return undefined
  const [tbs] = derChildren(der, root) ?? []
  if (tbs?.tag !== 0x30) return undefined
  const fields = derChildren(der, tbs)
  if (!fields) return undefined
  // An explicit version is context tag [0]; v1 certificates leave it out.
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0
  const validity = fields[offset + 3]
  const spki = fields[offset + 5]
  if (validity?.tag !== 0x30 || !spki || spki.tag !== 0x30) return undefined
  const [notBefore, notAfter] = derChildren(der, validity) ?? []
  if (!notBefore || !notAfter) return undefined
  const from = parseTime(der, notBefore)
  const to = parseTime(der, notAfter)
  if (from === undefined || to === undefined) return undefined
  return { publicKey: der.slice(spki.start, spki.end), notBefore: from, notAfter: to }
}
