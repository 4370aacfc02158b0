export { TRACER_STATUSES, type TracerStatus } from './tracer-log.entity.js';
export {
  type OperatorTracerFilter,
  type OperatorTracerRow,
  type TracerLogFilter,
  TracerLogs,
  type TracerLogView,
  type TracerSummary,
} from './tracer-logs.service.js';
export { TracerMetrics } from './tracer-metrics.service.js';
export { TracerRounds } from './tracer-rounds.service.js';
export { TRACER_HEADER, tracerSubject, tracerTokenIn } from './tracer-token.js';
export { type OutstandingTracer, TracersService } from './tracers.service.js';
export { TracerLogsModule, TracersModule, TracersWorkerModule } from './tracers.module.js';
