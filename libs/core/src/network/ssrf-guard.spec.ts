import { assertPublicUrl, isBlockedAddress } from './ssrf-guard.js';

describe('isBlockedAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
  ])('blocks %s', (address) => expect(isBlockedAddress(address)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) =>
    expect(isBlockedAddress(address)).toBe(false),
  );
});

describe('assertPublicUrl', () => {
  it('refuses literal and resolved private targets', async () => {
    await expect(assertPublicUrl('http://127.0.0.1:8080/hook')).rejects.toThrow(/private or reserved/);
    await expect(assertPublicUrl('http://[::1]/hook')).rejects.toThrow(/private or reserved/);
    await expect(assertPublicUrl('http://localhost/hook')).rejects.toThrow(/private or reserved/);
  });

  it('accepts a public literal address', async () => {
    await expect(assertPublicUrl('https://93.184.216.34/hook')).resolves.toBeUndefined();
  });
});
