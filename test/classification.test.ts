// The measured classification: every fixture in the repo's corpora has its provider, sub-source, party and lead type pinned (classification.expected.json), and the README shows the same table.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classificationRows, markdownTable, type ClassificationRow } from '../scripts/classification-table.js';
import { expectGolden } from './support/golden.js';

let rows: ClassificationRow[];
const row = (file: string) => rows.find((r) => r.file === file);

beforeAll(async () => {
  rows = await classificationRows();
});

describe('source classification of the fixture corpora', () => {
  it('pins provider, sub-source, party and lead type of every file (UPDATE_EXPECTED=1 rewrites; review the diff)', () => {
    const pinned = rows.map(({ file, provider, subSource, party, leadType }) => ({ file, provider, subSource, party, leadType }));
    expectGolden(new URL('./classification.expected.json', import.meta.url), pinned, 'test/classification.test.ts');
  });

  it('gives every lead a canonical provider, a party and a lead type', () => {
    for (const r of rows.filter((x) => !x.decidedBy.startsWith('no lead'))) {
      expect(r.provider, r.file).not.toBe('');
      expect(['first', 'second', 'third'], r.file).toContain(r.party);
      expect(r.leadType, r.file).not.toBe('');
    }
  });

  it.each([
    ['fixtures/real-leads/truecar-pnc-1.xml', 'TrueCar', 'PNC', 'third', 'sales-used'],
    ['fixtures/real-leads/autotrader-wallet-1.xml', 'Autotrader', 'Wallet', 'third', 'sales-used'],
    ['fixtures/real-leads/kia-digital-kiacom-testdrive-1.xml', 'Kia Digital', 'Kia.com', 'second', 'test-drive'],
    ['fixtures/real-leads/costco-auto-options-2.xml', 'Costco Auto Program', '', 'third', 'sales-new'],
    ['fixtures/real-leads/carscom-dealerrater-1.xml', 'Cars.com', 'DealerRater', 'third', 'general'],
    // An OEM program relaying the dealer's own website vendor: the program files it, the dealer's website originated it.
    ['fixtures/real-leads/kia-digital-teamvelocity-fullline-1.xml', 'Kia Digital', 'Team Velocity', 'first', 'sales-new'],
    ['fixtures/real-leads/mazda-digital-carnow-chat-1.xml', 'Mazda Digital', 'CarNow', 'first', 'chat'],
    ['fixtures/real-leads/mazda-digital-teamvelocity-trade-junk-2.xml', 'Mazda Digital', 'Team Velocity', 'first', 'trade-appraisal'],
    // Captive finance relayed by the OEM program stays second party.
    ['fixtures/real-leads/mazda-digital-mfs-leaseend-1.xml', 'Mazda Digital', 'MFS Lease End', 'second', 'sales-used'],
    ['fixtures/real-leads/star-hyundai-dealercom-tradein-1.xml', 'Hyundai', 'Dealer.com', 'first', 'trade-appraisal'],
    ['fixtures/real-leads/apollo-teamvelocity-website-1.xml', 'Team Velocity', 'Apollo', 'first', 'sales-new'],
    ['fixtures/real-leads/throttleiq-hd-marketplace-sell-2.xml', 'H-D Marketplace', '', 'second', 'sell'],
    ['fixtures/real-leads/throttleiq-trade-accelerator-1.xml', 'Trade Accelerator', '', 'first', 'trade-appraisal'],
    ['fixtures/emails/text-facebook-tvmnotify.eml', 'Facebook', 'Team Velocity', 'first', 'test-drive'],
    ['fixtures/emails/text-cazoo-indented.eml', 'unknown', '', 'third', 'general'],
  ])('%s → %s / %s / %s / %s', (file, provider, subSource, party, leadType) => {
    expect(row(file)).toMatchObject({ provider, subSource, party, leadType });
  });

  it('a third-party lead relayed by an OEM program is third party', () => {
    expect(row('adapters/kia-digital/fixtures/kia-digital-3rd-party-carsdirect-synthetic.xml')).toMatchObject({ provider: 'Kia Digital', subSource: 'CarsDirect', party: 'third' });
  });

  it("is the table in the README's Source classification section", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme, 'README table is stale: paste the output of `npx tsx scripts/classification-table.ts`').toContain(markdownTable(rows));
  });
});
