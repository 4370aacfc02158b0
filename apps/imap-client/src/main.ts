import { runRoleFromCommandLine } from '../../cli/src/run-role.js';
import { imapClientRole } from './imap-client.role.js';

// Direct entry point; `superimap imap-client` does the same.
await runRoleFromCommandLine('imap-client', imapClientRole);
