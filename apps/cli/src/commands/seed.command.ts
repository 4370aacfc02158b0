import { OperatorsModule, AdminUsersService } from '@app/operators';
import { BUILTIN_PROVIDERS, ProvidersModule, ProvidersService } from '@app/providers';

import { parseFlags } from '../cli-args.js';
import { withCommandContext } from '../command-context.js';

/** `superimap seed`: the default admin and the built-in providers; running it again changes nothing. */
export async function seedCommand(args: string[]): Promise<unknown> {
  parseFlags(args, {});
  return withCommandContext([OperatorsModule, ProvidersModule], async (context) => {
    const adminCreated = await context.get(AdminUsersService).ensureDefaultAdmin();
    const providersCreated = await context.get(ProvidersService).ensureExist(BUILTIN_PROVIDERS);
    return { admin_created: adminCreated, providers_created: providersCreated };
  });
}
