import { median } from './stats.ts';
import type { ThroughputRow } from './throughput.ts';

const palette = ['#2f6db5', '#d9822b', '#3a9a5b', '#8e5bb5'];
const baselineColour = '#9aa0a6';

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

const formatRate = (rate: number) => Math.round(rate).toLocaleString('en');

/**
 * Renders grouped horizontal bars: one group per scenario, with the baseline's median rate (the
 * median over the stores' runs) and askgate's per store. The rates of scenarios differ by orders of magnitude, so each group has its
 * own scale, in which its longest bar fills the width. The labels carry the numbers.
 */
export function renderThroughputChart(rows: ThroughputRow[]): string {
  const scenarios = [...new Set(rows.map((row) => row.scenario))];
  const stores = [...new Set(rows.map((row) => row.store))];
  const width = 820;
  const labelWidth = 170;
  const barArea = 420;
  const barHeight = 18;
  const barGap = 4;
  const groupGap = 22;
  const top = 72;

  const parts: string[] = [];
  let y = top;
  for (const scenario of scenarios) {
    const scenarioRows = rows.filter((row) => row.scenario === scenario);
    const unit = scenarioRows[0]?.unit === 'flows' ? 'flows/s' : 'req/s';
    const bars = [
      { label: 'baseline (Bun.serve)', rate: median(scenarioRows.map((row) => row.baseline.medianRate)), colour: baselineColour, ratio: null as number | null },
      ...scenarioRows.map((row) => ({ label: `askgate, ${row.store}`, rate: row.askgate.medianRate, colour: palette[stores.indexOf(row.store) % palette.length] as string, ratio: row.ratio })),
    ];
    const scaleMax = Math.max(...bars.map((bar) => bar.rate), 1);

    parts.push(`<text x="16" y="${y + 12}" font-weight="bold">${escapeXml(scenario)}</text>`);
    y += 20;
    for (const bar of bars) {
      const length = Math.max(1, (bar.rate / scaleMax) * barArea);
      const ratio = bar.ratio === null ? '' : ` (${bar.ratio.toFixed(2)}× baseline)`;
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end">${escapeXml(bar.label)}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="${bar.colour}"/>`,
        `<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + 13}">${escapeXml(`${formatRate(bar.rate)} ${unit}${ratio}`)}</text>`,
      );
      y += barHeight + barGap;
    }
    y += groupGap;
  }

  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" fill="#222">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="16" y="24" font-size="15" font-weight="bold">askgate throughput against a bare Bun.serve baseline</text>`,
    `<text x="16" y="42" fill="#555">Medians of the measured runs; each scenario has its own scale. The baseline bar is the median over the</text>`,
    `<text x="16" y="58" fill="#555">stores' runs; each ratio compares a store's run with the baseline measured alongside it.</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
