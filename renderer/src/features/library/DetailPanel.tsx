import { Badge, Button, Code, Group, Image, ScrollArea, Stack, Table, TagsInput, Text, Textarea, TextInput, Timeline, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { ImageItem, ProvenanceEvent } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';
import { useNav } from '../../nav.tsx';

function formatBytes(n: number): string {
  return n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} KB`;
}

/** Metadata, editable fields and the provenance timeline of one library item. */
export function DetailPanel({ id, onChanged }: { id: number; onChanged: () => void }) {
  const { t } = useTranslation('library');
  const nav = useNav();
  const [data, setData] = useState<{ item: ImageItem; history: ProvenanceEvent[] } | null>(null);
  const [draft, setDraft] = useState({ title: '', tags: [] as string[], collection: '', notes: '' });
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    let live = true;
    void api.call('library.get', { id }).then((d) => {
      if (!live) return;
      setData(d);
      setDraft({ title: d.item.title, tags: d.item.tags, collection: d.item.collection ?? '', notes: d.item.notes });
      setSaved(false);
    });
    return () => {
      live = false;
    };
  }, [id]);

  if (!data) return null;
  const { item, history } = data;
  const m = item.metadata;
  const density = describeDensity(item, t);
  const rows: [string, string][] = [
    [t('fields.format'), `${item.format.toUpperCase()}${item.bitDepth !== 8 ? `, ${item.bitDepth}-bit` : ''}`],
    [t('fields.size'), `${item.width} × ${item.height}`],
    [t('fields.density'), density],
    [t('fields.colour'), `${item.colourSpace}${item.hasIcc ? ' + ICC' : ''}${item.hasAlpha ? ' + alpha' : ''}`],
    [t('fields.bytes'), formatBytes(item.byteSize)],
    [t('fields.captured'), m.capturedAt ?? t('unknown')],
    [t('fields.camera'), [m.cameraMake, m.cameraModel].filter(Boolean).join(' ') || t('unknown')],
    [t('fields.artist'), m.artist ?? t('unknown')],
    [t('fields.copyright'), m.copyright ?? t('unknown')],
    [t('fields.source'), item.sourcePath],
    [t('fields.imported'), new Date(item.importedAt).toLocaleString()],
  ];

  const save = async () => {
    const updated = await api.call('library.update', { id, title: draft.title, tags: draft.tags, collection: draft.collection || null, notes: draft.notes });
    const fresh = await api.call('library.get', { id: updated.id });
    setData(fresh);
    setSaved(true);
    onChanged();
  };

  return (
    <ScrollArea h="100%" data-testid="detail-panel">
      <Stack gap="sm" p="xs">
        <Image src={api.mediaUrl('thumb', item.id)} alt={item.title} fit="contain" h={220} radius="sm" />
        <TextInput label={t('fields.title')} value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.currentTarget.value })} data-testid="detail-title" />
        <TagsInput label={t('fields.tags')} value={draft.tags} onChange={(tags) => setDraft({ ...draft, tags })} />
        <TextInput label={t('fields.collection')} value={draft.collection} onChange={(e) => setDraft({ ...draft, collection: e.currentTarget.value })} />
        <Textarea label={t('fields.notes')} autosize minRows={2} value={draft.notes} onChange={(e) => setDraft({ ...draft, notes: e.currentTarget.value })} />
        <Group>
          <Button size="xs" onClick={() => void save()} data-testid="detail-save">{t('common:actions.save')}</Button>
          {saved ? <Text size="xs" c="teal">{t('saved')}</Text> : null}
        </Group>
        <Group gap="xs" data-testid="detail-actions">
          <Button size="xs" variant="light" onClick={() => nav.go('watermark', { imageIds: [id] })}>{t('use.watermark')}</Button>
          <Button size="xs" variant="light" onClick={() => nav.go('check', { imageIds: [id] })}>{t('use.check')}</Button>
          <Button size="xs" variant="light" onClick={() => nav.go('bundles', { imageIds: [id] })} data-testid="detail-register">{t('use.register')}</Button>
        </Group>
        <Title order={5}>{t('details')}</Title>
        <Table fz="xs" verticalSpacing={4} data-testid="detail-metadata">
          <Table.Tbody>
            {rows.map(([k, v]) => (
              <Table.Tr key={k}>
                <Table.Th w={110}>{k}</Table.Th>
                <Table.Td style={{ wordBreak: 'break-all' }}>{v}</Table.Td>
              </Table.Tr>
            ))}
            <Table.Tr>
              <Table.Th>{t('fields.sha256')}</Table.Th>
              <Table.Td><Code fz={10} style={{ wordBreak: 'break-all' }}>{item.sha256}</Code></Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
        <Title order={5}>{t('history')}</Title>
        <Timeline bulletSize={14} lineWidth={2} data-testid="detail-history">
          {history.map((e) => (
            <Timeline.Item key={e.id} title={<Group gap={6}><Badge size="xs" variant="light">{t(`event.${e.type}`, { defaultValue: e.type })}</Badge><Text size="xs" c="dimmed">{new Date(e.at).toLocaleString()}</Text></Group>}>
              <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>{summarise(e)}</Text>
              <Code fz={9}>{e.hash.slice(0, 16)}…</Code>
            </Timeline.Item>
          ))}
        </Timeline>
      </Stack>
    </ScrollArea>
  );
}

const PER_INCH = { inch: 1, cm: 2.54, m: 0.0254 } as const;

/** "300 dpi (PNG pHYs: 11811 px/m)": what the stored numbers mean in dpi, and where they are stored. */
function describeDensity(item: ImageItem, t: TFunction<'library'>): string {
  const d = item.density;
  if (!d) return t('densityMissing');
  const where = t(`densitySource.${d.source}`);
  if (d.unit === 'none') return `${d.x} × ${d.y} — ${t('densityNone')} (${where})`;
  const factor = PER_INCH[d.unit];
  const dpi = (v: number) => Math.round(v * factor * 10) / 10;
  const value = d.x === d.y ? `${dpi(d.x)} dpi` : `${dpi(d.x)} × ${dpi(d.y)} dpi`;
  const stored = d.unit === 'inch' ? where : `${where}: ${d.x} px/${d.unit}`;
  return `${value} (${stored})`;
}

function summarise(e: ProvenanceEvent): string {
  const d = e.data;
  if (e.type === 'imported') return String(d.sourcePath ?? '');
  if (e.type === 'edited' && d.changes && typeof d.changes === 'object') return Object.keys(d.changes).join(', ');
  if (typeof d.outputPath === 'string') return d.outputPath;
  return '';
}
