import type { Shown } from '../serviceEvents/suppression';
import { SUPPRESSION_NOTE } from '../serviceEvents/service';
import { periodNames, type PeriodName, type ServiceReport } from '../serviceEvents/report';
import { esc, jsonIn } from './html';

const PERIOD_LABELS: Record<PeriodName, string> = { '4w': 'Last 4 weeks', '3m': 'Last 3 months', '12m': 'Last 12 months' };

/** A chart drawn by Chart.js from this data (values already suppressed: null draws nothing). */
interface ChartSpec {
  type: 'bar' | 'line';
  labels: string[];
  datasets: { label: string; data: (number | null)[]; colour: string }[];
  yTitle: string;
  xTitle?: string;
  percent?: boolean;
}

const BLUE = '#005eb8';
const DARK = '#003087';
const GREEN = '#007f3b';
const PURPLE = '#330072';

function chart(id: string, description: string, spec: ChartSpec): string {
  return `<figure class="chart">
<div class="chart__canvas"><canvas id="${esc(id)}" role="img" aria-label="${esc(description)}"></canvas></div>
<script type="application/json" data-chart="${esc(id)}">${jsonIn(spec)}</script>
</figure>`;
}

const cell = (s: Shown | string | null, numeric = true) =>
  `<td class="nhsuk-table__cell${numeric ? ' nhsuk-table__cell--numeric' : ''}">${esc(typeof s === 'string' ? s : s === null ? 'not shown' : s.text)}</td>`;

function table(caption: string, head: string[], rows: string[][], opts: { firstIsLabel?: boolean } = {}): string {
  return `<div class="nhsuk-table-container" tabindex="0" role="region" aria-label="${esc(caption)}"><table class="nhsuk-table">
<caption class="nhsuk-table__caption">${esc(caption)}</caption>
<thead class="nhsuk-table__head"><tr class="nhsuk-table__row">${head.map((h, i) => `<th scope="col" class="nhsuk-table__header${i > 0 ? ' nhsuk-table__header--numeric' : ''}">${esc(h)}</th>`).join('')}</tr></thead>
<tbody class="nhsuk-table__body">
${rows.map((r) => `<tr class="nhsuk-table__row">${r.map((c, i) => (i === 0 && opts.firstIsLabel !== false ? `<th scope="row" class="nhsuk-table__header">${c}</th>` : c)).join('')}</tr>`).join('\n')}
</tbody></table></div>`;
}

/** The Service tab's view of one period: every figure comes from the report, already suppressed. */
export function serviceView(report: ServiceReport, period: PeriodName): string {
  const nav = `<nav class="period-nav" aria-label="Period">
<ul class="period-nav__list">
${periodNames.map((p) => `<li class="period-nav__item"><a class="period-nav__link" href="?period=${p}"${p === period ? ' aria-current="page"' : ''}>${esc(PERIOD_LABELS[p])}</a></li>`).join('\n')}
</ul></nav>`;
  const headline = `<h2 class="nhsuk-heading-m">${esc(PERIOD_LABELS[period])}: ${esc(report.period.from)} to ${esc(report.period.to)}</h2>
<dl class="nhsuk-summary-list">
${report.headline.map((h) => `<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">${esc(h.label)}</dt><dd class="nhsuk-summary-list__value" data-figure="${esc(h.label)}">${esc(h.value)}</dd></div>`).join('\n')}
</dl>
<div class="nhsuk-inset-text"><span class="nhsuk-u-visually-hidden">Information: </span><p>${esc(SUPPRESSION_NOTE)} "Not shown" marks a figure hidden so that a small one cannot be worked out from the others.</p></div>`;

  const months = report.uptake.months;
  const main = report.uptake.rows.filter((r) => !r.label.startsWith('  '));
  // One table per milestone: months down the side, all / on their own / with a coach across.
  const uptakeTables = main
    .map((all) => {
      const index = report.uptake.rows.indexOf(all);
      const self = report.uptake.rows[index + 1]!;
      const coach = report.uptake.rows[index + 2]!;
      const rows = months.map((m, i) => [esc(m.label), cell(all.cells[i]!), cell(self.cells[i]!), cell(coach.cells[i]!)]);
      rows.push(['<strong>Whole period</strong>', cell(all.total), cell(self.total), cell(coach.total)]);
      return table(`${all.label}, by month`, ['Month', 'All', 'On their own', 'With a coach'], rows);
    })
    .join('\n');
  const uptake = `<section aria-labelledby="uptake"><h2 class="nhsuk-heading-m" id="uptake">Uptake</h2>
<p class="nhsuk-body">People counted in the month they first started or completed each session, on their own or with a coach.</p>
${chart('chart-uptake', 'Bar chart of people starting and completing sessions by month; the tables below give the figures.', {
  type: 'bar',
  labels: months.map((m) => m.label),
  datasets: main.map((r, i) => ({ label: r.label, data: r.cells.map((c) => c.value), colour: [BLUE, DARK, GREEN, PURPLE][i]! })),
  yTitle: 'People',
})}
<div class="table-grid">
${uptakeTables}
</div>
</section>`;

  const outcomes = `<section aria-labelledby="outcomes"><h2 class="nhsuk-heading-m" id="outcomes">Outcome: change on the scale</h2>
<p class="nhsuk-body">How far people moved on the 1 to 10 scale from where they put themselves at the start of session 1.</p>
${report.outcomes
  .map(
    (o, i) => `<h3 class="nhsuk-heading-s">${esc(o.label)}</h3>
<dl class="nhsuk-summary-list">
<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">People</dt><dd class="nhsuk-summary-list__value">${esc(o.people.text)}</dd></div>
<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Mean change (95% confidence interval)</dt><dd class="nhsuk-summary-list__value">${esc(o.mean ? `${o.mean} points (${o.ci95})` : 'not shown: fewer than 5 people')}</dd></div>
<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Moved 2 points or more</dt><dd class="nhsuk-summary-list__value">${esc(o.movedTwoOrMore ?? 'not shown: small numbers')}</dd></div>
</dl>
${chart(`chart-outcome-${i + 1}`, `Bar chart of how many people moved by each number of points, ${o.label.toLowerCase()}; the table below gives the figures.`, {
  type: 'bar',
  labels: o.bars.map((b) => signedPoints(b.change)),
  datasets: [{ label: 'People', data: o.bars.map((b) => b.people.value), colour: BLUE }],
  yTitle: 'People',
  xTitle: 'Change in points',
})}
${table(`Change in points: ${o.label.toLowerCase()}`, ['Change', 'People'], o.bars.map((b) => [esc(signedPoints(b.change)), cell(b.people)]))}`,
  )
  .join('\n')}
</section>`;

  const funnel = `<section aria-labelledby="funnel"><h2 class="nhsuk-heading-m" id="funnel">Where people stop</h2>
<p class="nhsuk-body">People reaching each stage, and the share of those who began the session.</p>
${report.funnel
  .map(
    (f) => `${chart(`chart-funnel-${f.session}`, `Bar chart of people reaching each stage of session ${f.session}; the table below gives the figures.`, {
      type: 'bar',
      labels: f.steps.map((s) => s.label),
      datasets: [{ label: `Session ${f.session}`, data: f.steps.map((s) => s.people.value), colour: f.session === 1 ? BLUE : GREEN }],
      yTitle: 'People',
    })}
${table(`Session ${f.session}: people reaching each stage`, ['Stage', 'People', 'Of those who began'], f.steps.map((s) => [esc(s.label), cell(s.people), cell(s.ofStarters ?? 'not shown')]))}`,
  )
  .join('\n')}
</section>`;

  const s = report.safety;
  const safety = `<section aria-labelledby="safety"><h2 class="nhsuk-heading-m" id="safety">Safety</h2>
<dl class="nhsuk-summary-list">
<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Referrals not yet acknowledged, now</dt><dd class="nhsuk-summary-list__value" data-figure="unacknowledged">${esc(s.unacknowledgedNow.count.text)}${s.unacknowledgedNow.oldestAge ? `; the oldest is ${esc(s.unacknowledgedNow.oldestAge)} old` : ''}</dd></div>
<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Urgent referral cards posted again (not acknowledged in time)</dt><dd class="nhsuk-summary-list__value">${esc(s.reposts.text)}</dd></div>
</dl>
${table('Check-ins by what they led to', ['Check-in result', 'Check-ins'], [...s.checkIns.map((c) => [esc(c.label), cell(c.count)]), ['All check-ins', cell(s.checkInsTotal)]])}
${table('Direct questions about safety, and the answers', ['Where asked', 'Yes', 'Not sure', 'No', "I'd rather not say", 'All'], s.directChecks.map((d) => [esc(d.origin), ...d.answers.map((a) => cell(a.count)), cell(d.total)]))}
${table('Referrals by level and what raised them', ['Level', ...s.referrals[0]!.bySource.map((b) => b.label), 'All'], s.referrals.map((r) => [esc(r.level), ...r.bySource.map((b) => cell(b.count)), cell(r.total)]))}
${s.referrals
  .filter((r) => r.categories.length > 0)
  .map((r) => table(`${r.level} referrals by trigger category`, ['Category', 'Referrals'], r.categories.map((c) => [esc(c.code.replace(/-/g, ' ')), cell(c.count)])))
  .join('\n')}
${table('Time to acknowledge a referral', ['Level', 'Acknowledged', 'Median', '90th percentile'], s.acknowledgement.map((a) => [esc(a.level), cell(a.count), cell(a.median ?? 'not shown'), cell(a.p90 ?? 'not shown')]))}
</section>`;

  const weeks = report.capacity.weeks;
  const capacity = `<section aria-labelledby="capacity"><h2 class="nhsuk-heading-m" id="capacity">Coaching capacity</h2>
<p class="nhsuk-body">Slots by the week they fall in. Utilisation is booked slots still standing out of slots offered (published, less those withdrawn).</p>
${weeks.length === 0 ? '<p class="nhsuk-body">No coaching slots in this period.</p>' : `${chart('chart-capacity', 'Line chart of slot utilisation by week; the table below gives the figures.', {
  type: 'line',
  labels: weeks.map((w) => w.label),
  datasets: [{ label: 'Utilisation (%)', data: weeks.map((w) => (w.utilisation ? Number(w.utilisation.replace('%', '')) : null)), colour: PURPLE }],
  yTitle: 'Utilisation (%)',
  percent: true,
})}
${table('Coaching slots by week', ['Week', 'Published', 'Booked', 'Cancelled', 'Utilisation'], weeks.map((w) => [esc(w.label), cell(w.published), cell(w.booked), cell(w.cancelled), cell(w.utilisation ?? 'not shown')]))}`}
</section>`;

  return [nav, headline, uptake, outcomes, funnel, safety, capacity].join('\n');
}

function signedPoints(change: number): string {
  return change > 0 ? `+${change}` : change < 0 ? `−${Math.abs(change)}` : '0';
}
