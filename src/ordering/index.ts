/**
 * The ordering guard: keeps the highest version seen per resource, in memory, Redis,
 * PostgreSQL or SQLite, and marks (or skips) an event older than one already processed.
 * @module
 */
export { isoVersion, ORDERING_DEFAULTS, type OrderingRule } from './defaults.js'
export { createOrderingGuard, type OrderingCheck, type OrderingGuard, type OrderingGuardOptions } from './guard.js'
export {
  type PostgresOrderingStore,
  type PostgresOrderingStoreOptions,
  postgresOrderingSchema,
  postgresOrderingStore,
} from './postgres.js'
export { type RedisOrderingStoreOptions, redisOrderingStore } from './redis.js'
export { type SqliteOrderingStore, type SqliteOrderingStoreOptions, sqliteOrderingStore } from './sqlite.js'
export {
  type AdvanceResult,
  type MemoryOrderingStore,
  type MemoryOrderingStoreOptions,
  memoryOrderingStore,
  type OrderingPruneOptions,
  type OrderingRetentionOptions,
  type OrderingStore,
} from './store.js'
