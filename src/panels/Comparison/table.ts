/**
 * The comparison table as plain data (built once, drawn by the view and written by the
 * exports): one row per measure, one cell per column, the course's claim and which columns
 * disagree with it.
 */
import { disagreements, type ClaimRow, type CompareConfig } from '../../engine/compare';
import type { CellKind } from '../../engine/types';
import type { CompareColumn } from '../../store/compare-slice';
import type { Language } from '../../i18n';
import { formatNumber } from '../../viz/format';

export type Translate = (key: string, vars?: Record<string, unknown>) => string;

export interface TableCell {
  /** Lines of the figure (the first is the headline). */
  lines: string[];
  /** How it was measured (tooltip and screen-reader text). */
  how: string;
  disagrees: boolean;
  pending: boolean;
}

export interface TableRow {
  key: ClaimRow;
  label: string;
  cells: TableCell[];
  claim: string;
  /** Names of the columns that disagree (empty: the claim holds or nothing measured). */
  disagreeWith: string[];
}

export interface CompareTable {
  caption: string;
  columns: { cell: CellKind; name: string; hidden: string }[];
  rows: TableRow[];
}

const ROWS: ClaimRow[] = ['params', 'macs', 'speed', 'memory', 'gradient', 'result'];

function intText(v: number, lang: Language): string {
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-US').format(v);
}

/** Builds the table from the store's columns (figures not measured yet are `pending`). */
export function buildCompareTable(
  columns: readonly CompareColumn[],
  config: CompareConfig,
  t: Translate,
  lang: Language,
): CompareTable {
  const num = (v: number, d = 3) => formatNumber(v, lang, d);
  const measured: Record<ClaimRow, (c: CompareColumn) => number | null> = {
    params: (c) => c.params,
    macs: (c) => c.macs,
    speed: (c) => c.stepsPerSecond,
    memory: (c) => c.capacity,
    gradient: (c) => c.flowTrained?.slope ?? null,
    result: (c) => c.result?.metric ?? null,
  };
  const flowT = config.flowDelay + 2;
  const how: Record<ClaimRow, string> = {
    params: t('compare.how.params'),
    macs: t('compare.how.macs'),
    speed: t('compare.how.speed', { batch: config.batchSize, T: config.delay + 2 }),
    memory: '',
    gradient: t('compare.how.gradient', { batch: config.batchSize, T: flowT }),
    result: t('compare.how.result', { steps: config.trainSteps, delay: config.delay }),
  };
  const pending = (howText: string): TableCell => ({
    lines: [t('compare.pending')],
    how: howText,
    disagrees: false,
    pending: true,
  });
  const cellOf = (row: ClaimRow, c: CompareColumn, disagrees: boolean): TableCell => {
    switch (row) {
      case 'params':
        return {
          lines: [
            c.formulaSymbolic,
            t('compare.value.params', {
              count: intText(c.params, lang),
              numeric: c.formulaNumeric,
            }),
          ],
          how: how.params,
          disagrees,
          pending: false,
        };
      case 'macs':
        return { lines: [intText(c.macs, lang)], how: how.macs, disagrees, pending: false };
      case 'speed':
        if (c.stepsPerSecond === null) return pending(how.speed);
        return {
          lines: [t('compare.value.steps', { value: num(c.stepsPerSecond, 1) })],
          how: how.speed,
          disagrees,
          pending: false,
        };
      case 'memory': {
        const tried = c.sweep
          .map((p) => `${p.delay}: ${num(p.accuracy, 2)}${p.passed ? ' ✓' : ' ✗'}`)
          .join(', ');
        const howText = t('compare.how.memory', {
          delays: config.sweepDelays.join(', '),
          steps: config.sweepSteps,
          tried: tried || '–',
        });
        if (c.capacity === null) return pending(howText);
        return {
          lines: [
            c.capacity > 0
              ? t('compare.value.capacity', { delay: c.capacity })
              : t('compare.value.capacityNone', { delay: config.sweepDelays[0] }),
          ],
          how: howText,
          disagrees,
          pending: false,
        };
      }
      case 'gradient': {
        const f = c.flowTrained;
        if (!f) return pending(how.gradient);
        const lines = [
          t('compare.value.slope', {
            slope: num(f.slope),
            verdict: t(`compare.verdict.${f.verdict}`),
          }),
        ];
        if (c.flowInit) {
          lines.push(
            t('compare.value.slopeInit', {
              slope: num(c.flowInit.slope),
              verdict: t(`compare.verdict.${c.flowInit.verdict}`),
            }),
          );
          lines.push(
            config.clip
              ? t('compare.value.normClipped', {
                  norm: num(c.flowInit.gradNorm),
                  clipped: num(c.flowInit.clippedNorm),
                })
              : t('compare.value.norm', { norm: num(c.flowInit.gradNorm) }),
          );
        }
        return { lines, how: how.gradient, disagrees, pending: false };
      }
      case 'result': {
        const r = c.result;
        if (!r) return pending(how.result);
        return {
          lines: r.diverged
            ? [t('compare.value.diverged'), t('compare.value.metric', { metric: num(r.metric, 2) })]
            : [
                t('compare.value.loss', { loss: num(r.finalLoss) }),
                t('compare.value.metric', { metric: num(r.metric, 2) }),
              ],
          how: how.result,
          disagrees,
          pending: false,
        };
      }
    }
  };
  const cells = columns.map((c) => c.cell);
  const names = columns.map((c) => t(`compare.cellName.${c.cell}`));
  const rows = ROWS.map((row): TableRow => {
    const values = columns.map(measured[row]);
    // Claims are judged only once every column has its figure.
    const complete = values.every((v) => v !== null);
    const dis = complete ? disagreements(row, cells, values) : cells.map(() => false);
    return {
      key: row,
      label: t(`compare.rows.${row}`),
      cells: columns.map((c, i) => cellOf(row, c, dis[i])),
      claim: t(`compare.claim.${row}`),
      disagreeWith: names.filter((_, i) => dis[i]),
    };
  });
  return {
    caption: t('compare.caption'),
    columns: columns.map((c, i) => ({
      cell: c.cell,
      name: names[i],
      hidden: t('compare.hiddenOf', { h: c.hiddenSize }),
    })),
    rows,
  };
}

function claimText(row: TableRow, t: Translate): string {
  return row.disagreeWith.length
    ? `${row.claim} (${t('compare.disagreesFor', { cells: row.disagreeWith.join(', ') })})`
    : row.claim;
}

function cellText(c: TableCell, t: Translate): string {
  return c.lines.join('; ') + (c.disagrees ? ` [${t('compare.disagrees')}]` : '');
}

/** RFC 4180 CSV: a header row, then one row per measure; fields quoted when needed. */
export function tableToCsv(table: CompareTable, t: Translate): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const head = [
    t('compare.measure'),
    ...table.columns.map((c) => `${c.name} (${c.hidden})`),
    t('compare.claimHeader'),
  ];
  const lines = [
    head,
    ...table.rows.map((r) => [r.label, ...r.cells.map((c) => cellText(c, t)), claimText(r, t)]),
  ];
  return lines.map((l) => l.map(q).join(',')).join('\r\n') + '\r\n';
}

/** A GitHub-flavoured Markdown table with the caption as a heading. */
export function tableToMarkdown(table: CompareTable, t: Translate): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\*/g, '\\*');
  const head = [
    t('compare.measure'),
    ...table.columns.map((c) => `${c.name} (${c.hidden})`),
    t('compare.claimHeader'),
  ];
  const rows = table.rows.map((r) => [
    r.label,
    ...r.cells.map((c) => cellText(c, t)),
    claimText(r, t),
  ]);
  const line = (cells: string[]) => `| ${cells.map(esc).join(' | ')} |`;
  return [
    `### ${table.caption}`,
    '',
    line(head),
    `|${head.map(() => ' --- ').join('|')}|`,
    ...rows.map(line),
    '',
  ].join('\n');
}
