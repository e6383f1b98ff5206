export type {
  AdamConfig,
  OptimizerConfig,
  OptimizerName,
  ResolvedOptimizerConfig,
  RmspropConfig,
  SgdConfig,
} from './config';
export { OPTIMIZER_DEFAULTS, OPTIMIZER_NAMES, resolveOptimizerConfig } from './config';
export type { Optimizer } from './optimizer';
export { createOptimizer } from './optimizer';
