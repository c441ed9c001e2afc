import { Badge, Box, Group, ScrollArea, SimpleGrid, Stack, Table, Text, ThemeIcon } from '@mantine/core';
import { Fragment, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CheckReport, FileCheck, RuleResult, RuleStatus } from '../../../../electron/contract/index.ts';
import { ltr } from './FixModal.tsx';
import { checkStrings } from './i18n.ts';

/** Measured values that are words (the rest are numbers and units, the same in every language). */
const measuredWords = new Set(Object.keys(checkStrings.en.measured));

export const statusColour: Record<RuleStatus, string> = { pass: 'teal', warn: 'yellow', fail: 'red', skip: 'gray' };
const glyph: Record<RuleStatus, string> = { pass: '✓', warn: '!', fail: '×', skip: '–' };

/** The reason in the UI language (the core writes both). */
export function useReason() {
  const { i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  return {
    zh,
    reason: (r: { reason: string; reasonZh: string }) => (zh && r.reasonZh ? r.reasonZh : r.reason),
    label: (r: { label: string; labelZh: string }) => (zh && r.labelZh ? r.labelZh : r.label),
  };
}

export function StatusMark({ status, text }: { status: RuleStatus; text?: string }) {
  return (
    <Group gap={6} wrap="nowrap">
      <ThemeIcon size={18} radius="xl" color={statusColour[status]} variant={status === 'skip' ? 'light' : 'filled'} aria-label={status}>
        <Text fz={11} fw={700} lh={1}>{glyph[status]}</Text>
      </ThemeIcon>
      {text ? <Text fz="xs" c={status === 'skip' ? 'dimmed' : undefined} style={{ whiteSpace: 'nowrap' }}>{text}</Text> : null}
    </Group>
  );
}

const mb = (n: number) => `${(n / 1048576).toFixed(2)} MB`;

function Facts({ file }: { file: FileCheck }) {
  const { t } = useTranslation('check');
  const f = file.facts;
  const d = f.density;
  const dpi = d.dpi ? (d.dpi.x === d.dpi.y ? `${Math.round(d.dpi.x * 100) / 100} dpi` : `${Math.round(d.dpi.x)} x ${Math.round(d.dpi.y)} dpi`) : d.effective ? t('facts.noUnit') : t('facts.none');
  const rows: [string, string][] = [
    [t('facts.format'), f.format ? f.format.toUpperCase() : '—'],
    [t('facts.extension'), f.extension ? `.${f.extension}${f.extensionMatches ? '' : ' ×'}` : '—'],
    [t('facts.pixels'), f.width ? `${f.width} × ${f.height}` : '—'],
    [t('facts.density'), dpi],
    [t('facts.declarations'), d.declarations.map((x) => `${x.source}: ${x.x}×${x.y} / ${x.unit}`).join('; ') || t('facts.none')],
    [t('facts.print', { dpi: f.printSize?.dpi ?? 300 }), f.printSize ? `${f.printSize.widthCm.toFixed(1)} × ${f.printSize.heightCm.toFixed(1)} cm (${f.printSize.widthIn.toFixed(2)} × ${f.printSize.heightIn.toFixed(2)} in)` : '—'],
    [t('facts.colour'), `${f.colourModel ?? '—'}${f.iccProfile ? ` · ${f.iccProfile}` : ''}${f.hasAlpha ? ' · alpha' : ''}`],
    [t('facts.bitDepth'), f.bitDepth ? String(f.bitDepth) : '—'],
    [t('facts.bytes'), mb(f.byteSize)],
    [t('facts.captured'), f.capturedAt ?? '—'],
    [t('facts.intact'), `${f.intact.ok ? t('facts.yes') : t('facts.no')} · ${f.intact.detail}`],
  ];
  return (
    <SimpleGrid cols={2} spacing={4} verticalSpacing={2}>
      {rows.map(([k, v]) => (
        <Fragment key={k}>
          <Text fz="xs" c="dimmed">{k}</Text>
          <Text fz="xs" style={{ wordBreak: 'break-word' }}>{v}</Text>
        </Fragment>
      ))}
    </SimpleGrid>
  );
}

function Details({ file }: { file: FileCheck }) {
  const { t } = useTranslation('check');
  const { reason, label } = useReason();
  const ordered = [...file.rules].sort((a, b) => rank(a) - rank(b));
  return (
    <Group align="flex-start" gap="xl" p="xs" wrap="nowrap" data-testid="check-details">
      <Stack gap={6} style={{ flex: 3, minWidth: 0 }}>
        {ordered.map((r) => (
          <Group key={r.id} gap="xs" align="flex-start" wrap="nowrap">
            <StatusMark status={r.status} />
            <Box style={{ minWidth: 0 }}>
              <Text fz="xs" fw={600}>
                {label(r)}
                {!r.confirmed ? <Badge ml={6} size="xs" variant="outline" color="gray" title={t('unconfirmedHelp')}>{t('unconfirmed')}</Badge> : null}
              </Text>
              <Text fz="xs">{reason(r)}</Text>
            </Box>
          </Group>
        ))}
      </Stack>
      <Box style={{ flex: 2, minWidth: 260 }}>
        <Text fz="xs" fw={600} mb={4}>{t('facts.title')}</Text>
        <Facts file={file} />
      </Box>
    </Group>
  );
}

const rank = (r: RuleResult) => ({ fail: 0, warn: 1, pass: 2, skip: 3 })[r.status];

/** One row per file, a column per rule with a clear pass / warn / fail; a click opens the reasons and facts. */
export function ResultsTable({ report }: { report: CheckReport }) {
  const { t } = useTranslation('check');
  const { reason, label } = useReason();
  const [open, setOpen] = useState<string | null>(null);
  const columns = useMemo(() => {
    const seen = new Map<string, RuleResult>();
    for (const f of report.files) for (const r of f.rules) if (!seen.has(r.id)) seen.set(r.id, r);
    return [...seen.values()];
  }, [report]);

  return (
    <ScrollArea style={{ flex: 1, minHeight: 0 }} data-testid="check-table">
      <Table stickyHeader highlightOnHover verticalSpacing={6} fz="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('file')}</Table.Th>
            <Table.Th>{t('result')}</Table.Th>
            {columns.map((c) => (
              <Table.Th key={c.id} title={c.confirmed ? label(c) : `${label(c)}: ${t('unconfirmedHelp')}`} style={{ whiteSpace: 'nowrap' }}>
                {t(`kinds.${c.kind}`)}{c.confirmed ? '' : ' *'}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.files.map((f) => {
            const key = `${f.imageId ?? ''}:${f.path}`;
            const byId = new Map(f.rules.map((r) => [r.id, r]));
            return (
              <Fragment key={key}>
                <Table.Tr onClick={() => setOpen(open === key ? null : key)} style={{ cursor: 'pointer' }} data-testid="check-row" data-verdict={f.verdict}>
                  <Table.Td maw={240}>
                    <Text fz="xs" fw={600} truncate>{f.title ?? f.name}</Text>
                    <Group gap={4} wrap="nowrap">
                      {f.imageId !== undefined ? <Badge size="xs" variant="light">{t('library')} #{f.imageId}</Badge> : null}
                      <Text fz={10} c="dimmed" truncate="start">{ltr(f.imageId !== undefined ? f.name : f.path)}</Text>
                    </Group>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap', minWidth: 96 }}>
                    <Badge color={statusColour[f.verdict]} variant="filled" style={{ minWidth: 'max-content' }} data-testid="check-verdict">{t(`verdict.${f.verdict}`)}</Badge>
                  </Table.Td>
                  {columns.map((c) => {
                    const r = byId.get(c.id);
                    return (
                      <Table.Td key={c.id} title={r ? reason(r) : undefined}>
                        {r ? <StatusMark status={r.status} text={r.status === 'skip' ? t('status.skip') : measuredWords.has(r.measured) ? t(`measured.${r.measured}`) : r.measured} /> : null}
                      </Table.Td>
                    );
                  })}
                </Table.Tr>
                {open === key ? (
                  <Table.Tr>
                    <Table.Td colSpan={columns.length + 2} bg="var(--mantine-color-default-hover)">
                      <Details file={f} />
                    </Table.Td>
                  </Table.Tr>
                ) : null}
              </Fragment>
            );
          })}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}
