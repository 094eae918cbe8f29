// resolve-dealer's string steps: the one-pass slug and the clean-name shortcut give exactly what the regular-expression path gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanVendorName, DealerResolver, fullSlug, slugify } from './resolve-dealer.js';

// The full paths, as they were before the shortcuts (slugify's is resolve-dealer's own fullSlug).
const cleanRef = (name: string) => name.replace(/\s*\[[^\]]*\]\s*$/, '').replace(/\s+/g, ' ').trim();

const names = fc.oneof(
  fc.constantFrom('Huntington Beach Mazda', 'Mission Viejo Kia [Attn: Staff Name]', 'Crème Brûlée Motors', '  Tustin  Mazda ', 'tustin-mazda', '!!!', 'İstanbul Kİa', 'K\u212Aia', 'A'.repeat(70) + ' B', 'Ford\u00a0Town', 'a\tb', '[x]', ''),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: fc.constantFrom('a', 'Z', '9', ' ', '-', '[', ']', '\t', 'é', '\u00a0', '\u0130', '.'), maxLength: 80 }),
);

describe('slugify and cleanVendorName', () => {
  it('give what the regular-expression path gives, for ASCII and any other text', () => {
    fc.assert(
      fc.property(names, (n) => {
        expect(slugify(n)).toBe(fullSlug(n));
        expect(cleanVendorName(n)).toBe(cleanRef(n));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('DealerResolver.resolve', () => {
  it('files an unconfigured vendor under its slug, and finds configured ones by vendor id or cleaned name', () => {
    const none = new DealerResolver([]);
    expect(none.resolve({ ids: [{ value: '1' }], name: 'Mission Viejo Kia [Attn: Staff Name]' })).toMatchObject({ id: 'mission-viejo-kia', name: 'Mission Viejo Kia', configured: false, warnings: [] });
    const some = new DealerResolver([{ id: 'mvk', name: 'Mission Viejo Kia', vendorIds: ['SP63742'] }]);
    expect(some.resolve({ ids: [{ value: ' sp63742 ' }] })).toMatchObject({ id: 'mvk', configured: true });
    expect(some.resolve({ ids: [], name: 'MISSION  VIEJO KIA [Attn: X]' })).toMatchObject({ id: 'mvk', configured: true });
    expect(some.resolve({ ids: [], name: 'Other Kia' }).warnings.map((w) => w.code)).toEqual(['dealer_not_configured']);
  });
});
