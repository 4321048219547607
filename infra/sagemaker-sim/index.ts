export { startSageMakerSimulator } from './simulator';
export { DEFAULT_LIMIT, quotaName } from './limits';
export type {
  AppIdentity,
  AppStatus,
  Fault,
  RecordedEvent,
  ResourceSpec,
  SageMakerSimulator,
  SimulatedApp,
  SimulatorOptions,
  Tag,
} from './types';
