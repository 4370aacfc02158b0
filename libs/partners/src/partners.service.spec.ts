import type { Repository } from 'typeorm';

import { parseConfig, SecretBox } from '@app/core';

import type { Partner } from './partner.entity.js';
import { PartnersService } from './partners.service.js';

const HOUR = 3600 * 1000;
const config = parseConfig({
  NODE_ENV: 'test',
  ENCRYPTION_KEY: 'k1:0123456789abcdef0123',
  SECRET_KEY_BASE: 's'.repeat(40),
});
const box = new SecretBox(config);
const ID = '0b9f7c4e-5a3d-4f2e-9c1b-2d8e6f4a7b10';

/** One partner row in memory: the service under test is the one class here. */
function serviceWith(partner: Partner): PartnersService {
  const repository = {
    findOneBy: () => Promise.resolve(partner),
    save: (saved: Partner) => Promise.resolve(Object.assign(partner, saved)),
  } as unknown as Repository<Partner>;
  return new PartnersService(repository, box, config);
}

function newPartner(): Partner {
  const at = (column: string) => ({ table: 'partners', column, id: ID });
  return {
    id: ID,
    apiKey: box.encrypt('sk_key', at('api_key')),
    webhookSecret: box.encrypt('whsec_first', at('webhook_secret')),
    previousWebhookSecret: null,
    previousWebhookSecretExpiresAt: null,
  } as Partner;
}

describe('PartnersService webhook secret rotation', () => {
  it('keeps every secret rotated out within the grace window signing, and only those', async () => {
    const partner = newPartner();
    const partners = serviceWith(partner);
    const start = new Date('2026-01-01T00:00:00Z');
    const second = await partners.rotateWebhookSecret(ID, start);
    const third = await partners.rotateWebhookSecret(ID, new Date(start.getTime() + 2 * HOUR));
    const fourth = await partners.rotateWebhookSecret(ID, new Date(start.getTime() + 3 * HOUR));

    const keys = (hoursLater: number) =>
      partners.signingKeys(partner, new Date(start.getTime() + hoursLater * HOUR)).webhookSecrets;
    expect(keys(4)).toEqual([fourth, third, second, 'whsec_first']);
    // whsec_first was rotated out at 0 h, the second at 2 h, the third at 3 h: each signs 24 h more.
    expect(keys(25)).toEqual([fourth, third, second]);
    expect(keys(26.5)).toEqual([fourth, third]);
    expect(keys(28)).toEqual([fourth]);
  });

  it('reads a previous secret stored before lists existed', () => {
    const partner = newPartner();
    partner.previousWebhookSecret = box.encrypt('whsec_legacy', {
      table: 'partners',
      column: 'previous_webhook_secret',
      id: ID,
    });
    partner.previousWebhookSecretExpiresAt = new Date('2026-01-02T00:00:00Z');
    const partners = serviceWith(partner);
    expect(partners.signingKeys(partner, new Date('2026-01-01T00:00:00Z')).webhookSecrets).toEqual([
      'whsec_first',
      'whsec_legacy',
    ]);
    expect(partners.signingKeys(partner, new Date('2026-01-03T00:00:00Z')).webhookSecrets).toEqual(['whsec_first']);
  });
});
