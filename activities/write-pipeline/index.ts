export { runWritePipeline, throttled, type WritePipelineOptions, type WritePipelineOutcome } from './pipeline.js';
export { classifyWriteError, exhaustedVerdict, Resends, TransientFaults, type FailingLine, type WriteFault } from './faults.js';
export { GroupCommit, type GroupCommitOptions } from './group-commit.js';
export { runPool, sleep, type PoolOptions } from './pool.js';
