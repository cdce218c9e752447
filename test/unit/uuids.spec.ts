import { uuidV5, uuidV7 } from '../../src/common/uuids';

describe('uuids', () => {
  it('v5: the RFC 9562 example (DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('v7: the time in its first 48 bits, version 7, variant 10', () => {
    const id = uuidV7(Date.UTC(2026, 11, 7));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace('-', '').slice(0, 12), 16)).toBe(Date.UTC(2026, 11, 7));
  });
});
