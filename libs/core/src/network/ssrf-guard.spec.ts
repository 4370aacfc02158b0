import { assertAllowedScheme, assertPublicUrl, isBlockedAddress } from './ssrf-guard.js';

describe('isBlockedAddress', () => {
  it.each([
    ['64:ff9b::7f00:1', 'NAT64 of 127.0.0.1'],
    ['64:ff9b::808:808', 'NAT64 of a public address (the gateway decides where it goes)'],
    ['64:ff9b:1::a00:1', 'local-use NAT64'],
    ['2002:7f00:1::1', '6to4 of 127.0.0.1'],
    ['2002:a9fe:a9fe::1', '6to4 of the metadata address'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::169.254.169.254', 'IPv4-compatible metadata'],
    ['::8.8.8.8', 'IPv4-compatible public (deprecated form)'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::ffff:0:7f00:1', 'IPv4-translated (RFC 6145)'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['fec0::1', 'site-local'],
    ['feff::1', 'site-local, top of range'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['2001:2::1', 'IPv6 benchmarking'],
    ['100::1', 'IPv6 discard'],
    ['3fff::1', 'IPv6 documentation (RFC 9637)'],
    ['5f00::1', 'SRv6 SIDs'],
    ['fd00:ec2::254', 'AWS IPv6 metadata'],
    ['192.0.2.1', 'TEST-NET-1'],
    ['198.51.100.7', 'TEST-NET-2'],
    ['203.0.113.9', 'TEST-NET-3'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['198.18.0.1', 'benchmarking'],
    ['192.0.0.192', 'IETF protocol assignments (Oracle metadata)'],
    ['168.63.129.16', 'Azure wire server'],
    ['169.254.170.2', 'ECS task metadata'],
    ['100.100.100.200', 'Alibaba metadata (CGNAT)'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['fe80::1%eth0', 'zoned link-local'],
    ['not-an-address', 'not an address at all'],
  ])('blocks %s (%s)', (address) => expect(isBlockedAddress(address)).toBe(true));

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

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '168.63.129.17',
    '192.88.100.1',
    '2606:4700::1111',
    '2a00:1450:4001:82a::200e',
    '::ffff:8.8.8.8',
  ])('allows %s', (address) => expect(isBlockedAddress(address)).toBe(false));
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

describe('assertAllowedScheme', () => {
  it.each([
    ['http://hooks.example.com/mail', false, true],
    ['HTTP://hooks.example.com/mail', false, true],
    ['https://hooks.example.com/mail', false, false],
    ['http://hooks.example.com/mail', true, false],
  ])('%s with allowHttp=%p refused: %p', (url, allowHttp, refused) => {
    const check = () => assertAllowedScheme(url, allowHttp);
    if (refused) expect(check).toThrow(/WEBHOOK_ALLOW_HTTP/);
    else expect(check).not.toThrow();
  });
});
