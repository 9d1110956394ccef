/**
 * The provider simulator: delivers events to an endpoint the way each provider's delivery system
 * does (its signature, retry schedule, `Retry-After`, duplicates, reordering, broken connections)
 * and reports what the endpoint answered. Node only (it speaks HTTP through `node:http`). The
 * `webhook-inbox simulate` command is a thin shell over it.
 * @module
 */
export {
  type AttemptRecord,
  FAST_DIVISOR,
  type RetrySchedule,
  type SimulationOptions,
  type SimulationProgress,
  type SimulationReport,
  simulateProvider,
} from './engine.js'
export {
  DELIVERY_PROVIDERS,
  type DeliveryProfile,
  deliveryProfile,
  type FailureReason,
  type SignInput,
} from './profiles.js'
