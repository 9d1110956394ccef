// Presets of this family group; one export line per preset file.
export {}
