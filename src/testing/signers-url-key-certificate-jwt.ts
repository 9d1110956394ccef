// Request signers of this family group (the inverse of each preset).
export {
  type AwsSnsSignerOptions,
  type PrivateKeyInput,
  signAwsSnsRequest,
  signDiscordRequest,
  signHubSpotRequest,
  signPayPalRequest,
  signPlaidRequest,
  signQStashRequest,
  signSendGridRequest,
  signSquareRequest,
  signTwilioRequest,
  type TwilioSignerOptions,
} from './signing-url-key-certificate-jwt.js'
