import { DataSource } from 'typeorm';

import { rotateEncryptionKeys, SecretBox } from '@app/core';

import { parseFlags } from '../cli-args.js';
import { CliError, USAGE_ERROR } from '../cli-error.js';
import { withCommandContext } from '../command-context.js';

/** `superimap keys rotate`: re-encrypts every secret with the newest ENCRYPTION_KEY entry. */
export async function keysCommand([action, ...args]: string[]): Promise<unknown> {
  if (action !== 'rotate') throw new CliError('usage: superimap keys rotate', USAGE_ERROR);
  parseFlags(args, {});
  return withCommandContext([], async (context) => {
    const secretBox = context.get(SecretBox);
    const reports = await rotateEncryptionKeys(context.get(DataSource), secretBox);
    return { key_id: secretBox.currentKeyId, reencrypted: reports };
  });
}
