import { fileURLToPath } from 'node:url'

// The repository root: `next`, `react` and the built library (../../dist) live there, not in this folder.
const root = fileURLToPath(new URL('../..', import.meta.url))

/** @type {import('next').NextConfig} */
const nextConfig = {
  turbopack: { root },
  outputFileTracingRoot: root,
}

export default nextConfig
