// Schemes of this family group; one export line per scheme file.
export {}
