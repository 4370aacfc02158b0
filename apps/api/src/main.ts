import { runRoleFromCommandLine } from '../../cli/src/run-role.js';
import { apiRole } from './api.role.js';

// Direct entry point; `superimap api` does the same.
await runRoleFromCommandLine('api', apiRole);
