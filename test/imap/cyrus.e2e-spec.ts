import { CyrusTestServer } from '../harness/cyrus.js';
import { describeWatchScenarios } from './watch-scenarios.js';

describeWatchScenarios('Cyrus IMAP', () => CyrusTestServer.start({ users: 6 }));
