import { isWebhookError } from '../errors.js'

/** `error.type` of a thrown value: the stable code of a WebhookError, else the class name. Never a message. */
export function errorType(error: unknown): string {
  if (isWebhookError(error)) return error.code
  const name = (error as { constructor?: { name?: unknown } } | null)?.constructor?.name
  return typeof name === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : '_OTHER'
}
