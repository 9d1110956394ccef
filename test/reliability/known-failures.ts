// Properties that do not hold, each with its reason. A listed case runs as `it.fails`: it turns
// red the day the behaviour changes, and its line here is then deleted.

export const KNOWN_FAILURES: Readonly<Record<string, string>> = {
  // A shared token signs nothing: whoever holds it can send any id (README, Security model).
  'dedupe:gitlab (secret token)': 'a shared token signs nothing (by design)',
  // Dropbox notifications carry no id and no signed timestamp: identical bodies are one event,
  // and a replay under a new header is processed again by design (README, Security model).
  'dedupe:dropbox': 'no id and no signed timestamp in a Dropbox notification (by design)',
  // Finding of this suite, reported, not fixed: every byte is compared in constant time and both
  // keys are always tried (a request signed with either secret costs the same), but a token whose
  // signature fails stops before the body-hash comparison a valid one reaches: the answer (401
  // or not) says as much anyway.
  'candidates:qstash':
    'finding: a forged token skips the body-hash comparison that a valid one makes (src/verifiers/jwt.ts); either key costs the same',
}
