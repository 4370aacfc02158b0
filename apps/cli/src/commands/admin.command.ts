import { OperatorsModule, AdminUsersService, CreateAdminDto } from '@app/operators';

import { parseFlags, toValidDto } from '../cli-args.js';
import { CliError, USAGE_ERROR } from '../cli-error.js';
import { withCommandContext } from '../command-context.js';

/** `superimap admin create --email … --password …` */
export async function adminCommand([action, ...args]: string[]): Promise<unknown> {
  if (action !== 'create')
    throw new CliError('usage: superimap admin create --email EMAIL --password PASSWORD', USAGE_ERROR);
  const flags = parseFlags(args, { email: { type: 'string' }, password: { type: 'string' } });
  const input = toValidDto(CreateAdminDto, flags);
  return withCommandContext([OperatorsModule], async (context) => {
    const admin = await context.get(AdminUsersService).create(input.email, input.password);
    return { id: admin.id, email: admin.email };
  });
}
