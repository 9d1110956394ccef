// Request signers of this family group (the inverse of each preset).
export {}
