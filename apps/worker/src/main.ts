import { runRoleFromCommandLine } from '../../cli/src/run-role.js';
import { workerRole } from './worker.role.js';

// Direct entry point; `superimap worker` does the same.
await runRoleFromCommandLine('worker', workerRole);
