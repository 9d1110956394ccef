import {
  awsSns,
  discord,
  hubspot,
  paypal,
  plaid,
  qstash,
  sendgrid,
  square,
  twilio,
} from '../../../src/providers/index.js'
import type { Provider } from '../../../src/types.js'

const SENDGRID_KEY =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g=='
const noFetch = async () => ({ ok: false, status: 404, text: async () => '' })

/** Families E (URL HMAC), F (Ed25519), G (ECDSA), H (certificate/RSA) and I (JWT). */
export const familyEi: Record<string, () => Provider> = {
  twilio: () => twilio({ secret: 'sample' }),
  square: () => square({ secret: 'sample', notificationUrl: 'https://example.com/webhooks/square' }),
  hubspot: () => hubspot({ secret: 'sample' }),
  discord: () => discord({ publicKey: 'e2c5e3fb0e2f8f5a55c7d1a4ad5a8a8f2b6e8b1f6c1a9e1d2a0b3c4d5e6f7a8b' }),
  sendgrid: () => sendgrid({ publicKey: SENDGRID_KEY }),
  awsSns: () => awsSns({ topicArn: 'arn:aws:sns:us-east-1:123456789012:sample', fetch: noFetch }),
  paypal: () => paypal({ webhookId: 'WH-SAMPLE', fetch: noFetch }),
  qstash: () => qstash({ secret: ['sig_current', 'sig_next'] }),
  plaid: () => plaid({ getKey: async () => undefined }),
}
