import type { AppConfig, RoleSpec } from '@app/core';

type RoleFactory = (config: AppConfig) => RoleSpec;

// Each role's module graph is imported only when that role starts, so an imap-client or a worker never
// loads the api's pages, OpenAPI document, bull-board or password hashing (base RSS per process).
const apiRole = async (): Promise<RoleFactory> => (await import('../../api/src/api.role.js')).apiRole;
const imapClientRole = async (): Promise<RoleFactory> =>
  (await import('../../imap-client/src/imap-client.role.js')).imapClientRole;
const workerRole = async (): Promise<RoleFactory> => (await import('../../worker/src/worker.role.js')).workerRole;

/** `all` runs the three roles in one process (development); it serves HTTP on PORT. */
async function allRoles(): Promise<RoleFactory> {
  const [api, imapClient, worker] = await Promise.all([apiRole(), imapClientRole(), workerRole()]);
  return (config) => {
    const spec = api(config);
    return {
      ...spec,
      name: 'all',
      modules: [...spec.modules, ...imapClient(config).modules, ...worker(config).modules],
    };
  };
}

export const ROLES: Record<string, () => Promise<RoleFactory>> = {
  api: apiRole,
  'imap-client': imapClientRole,
  worker: workerRole,
  all: allRoles,
};
