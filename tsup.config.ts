import { defineConfig } from 'tsup'

/**
 * One entry per public subpath. `test/package/exports.test.ts` checks that this list and the
 * `exports` map of package.json agree.
 */
export const entries = {
  index: 'src/index.ts',
  providers: 'src/providers/index.ts',
  verifiers: 'src/verifiers/index.ts',
  testing: 'src/testing/index.ts',
  express: 'src/adapters/express.ts',
  koa: 'src/adapters/koa.ts',
  fastify: 'src/adapters/fastify.ts',
  node: 'src/adapters/node.ts',
  next: 'src/adapters/next.ts',
  hono: 'src/adapters/hono.ts',
  redis: 'src/stores/redis.ts',
  postgres: 'src/stores/postgres.ts',
  sqlite: 'src/stores/sqlite.ts',
  otel: 'src/otel/index.ts',
  bullmq: 'src/queues/bullmq.ts',
  'pg-boss': 'src/queues/pg-boss.ts',
  amqp: 'src/queues/amqp.ts',
  nats: 'src/queues/nats.ts',
  ordering: 'src/ordering/index.ts',
  events: 'src/events/maps.ts',
  'events/github': 'src/events/github.ts',
  'events/slack': 'src/events/slack.ts',
  simulator: 'src/simulator/index.ts',
} as const

export default defineConfig([
  {
    entry: entries,
    format: ['esm', 'cjs'],
    dts: true,
    splitting: true,
    sourcemap: false,
    // The command-line tool below writes into dist too, in parallel: keep its files.
    clean: ['!cli.js'],
    treeshake: true,
    target: 'es2022',
    platform: 'neutral',
    outDir: 'dist',
  },
  {
    // The `webhook-inbox` executable (package.json `bin`): one ESM file for Node, with its shebang.
    // pg and better-sqlite3 are the user's optional peers, loaded with import() when a command needs them.
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    dts: false,
    splitting: false,
    sourcemap: false,
    clean: false,
    target: 'node20',
    platform: 'node',
    outDir: 'dist',
    external: ['pg', 'better-sqlite3'],
  },
])
