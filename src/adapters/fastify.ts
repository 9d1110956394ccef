// Placeholder: filled in by the issue that owns this subpath. Do not ship as is.
export {}
