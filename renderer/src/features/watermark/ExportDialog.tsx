import { Alert, Button, Checkbox, Divider, Group, List, Modal, NumberInput, ScrollArea, SegmentedControl, Select, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExportResult, ExportFormat, Input, PlatformId, Resize, Rights } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';
import { JobProgress } from '../../components/JobProgress.tsx';
import { baseName } from '../../components/files.ts';
import { useFileError, useWording } from '../../components/notice.ts';
import { useJob } from '../../components/useJob.ts';
import { SliderField } from './SliderField.tsx';

export interface ExportOptions {
  outDir: string;
  nameTemplate: string;
  keepTree: boolean;
  format: ExportFormat;
  quality: number;
  resize: Resize;
  dpi: number | null;
  colour: 'keep' | 'srgb';
  metadata: 'keep' | 'strip-location' | 'strip-all';
  rights: Rights;
  hidden: boolean;
  platform: PlatformId;
}

export const defaultExportOptions: ExportOptions = {
  outDir: '',
  nameTemplate: '{name}',
  keepTree: true,
  format: 'jpeg',
  quality: 90,
  resize: { mode: 'none' },
  dpi: null,
  colour: 'srgb',
  metadata: 'strip-location',
  rights: {},
  hidden: false,
  platform: 'generic',
};

/** Each distinct note of a batch (the CMYK conversion, an empty token, …) with the files it applies to. */
function useBatchNotes(result: ExportResult | null): { note: string; files: string[] }[] {
  const word = useWording();
  const notes = new Map<string, string[]>();
  for (const f of result?.exported ?? []) {
    for (const w of f.warnings) {
      const note = word(w, w.text);
      const files = notes.get(note) ?? [];
      if (!files.length) notes.set(note, files);
      files.push(baseName(f.source));
    }
  }
  return [...notes].map(([note, files]) => ({ note, files }));
}

const NAMES_SHOWN = 5;

/** Export settings, then a progress bar with cancel, then the summary with per-file errors and notes. */
export function ExportDialog({ opened, onClose, options, onOptions, request, count }: {
  opened: boolean;
  onClose: () => void;
  options: ExportOptions;
  onOptions: (o: ExportOptions) => void;
  /** Everything but the settings: sources, design or preset, owner. */
  request: Pick<Input<'watermark.export'>, 'sources' | 'design' | 'preset' | 'owner'>;
  count: number;
}) {
  const { t } = useTranslation('watermark');
  const fileError = useFileError();
  const job = useJob('watermark.export');
  const set = (patch: Partial<ExportOptions>) => onOptions({ ...options, ...patch });
  const rights = options.rights;
  // The summary stays until it is closed; the next opening starts with the settings again.
  const [dismissed, setDismissed] = useState<ExportResult | null>(null);
  const result = job.result !== dismissed ? job.result : null;
  const notes = useBatchNotes(result);

  const start = () => {
    const cleanRights = Object.fromEntries(Object.entries(rights).filter(([, v]) => typeof v === 'string' && v.trim())) as Rights;
    void job.run({ ...request, ...options, rights: Object.keys(cleanRights).length ? cleanRights : null });
  };

  return (
    <Modal opened={opened} onClose={() => { if (job.running) return; setDismissed(job.result); onClose(); }} title={t('export.title', { count })} size="lg" data-testid="export-dialog">
      {job.running ? (
        <JobProgress progress={job.progress} onCancel={job.cancel} />
      ) : result ? (
        <Stack data-testid="export-summary">
          <Alert color={result.failed.length ? 'yellow' : 'teal'}>
            <Text fw={500}>{t('export.done', { exported: result.exported.length, failed: result.failed.length })}</Text>
            {result.cancelled ? <Text size="sm">{t('export.cancelled')}</Text> : null}
            {result.notes.map((n) => <Text key={n} size="sm">{n}</Text>)}
            {result.exported.length ? <Text size="sm" data-testid="export-written">{t('export.written', { dir: result.outDir, seconds: Math.max(0.1, result.seconds).toFixed(1) })}</Text> : null}
          </Alert>
          {notes.length ? (
            <>
              <Text size="sm" fw={500}>{t('export.notes')}</Text>
              <ScrollArea.Autosize mah={200}>
                <List size="xs" data-testid="export-notes">
                  {notes.map(({ note, files }) => (
                    <List.Item key={note}>
                      {note}
                      <Text component="span" size="xs" c="dimmed">
                        {' — '}{files.slice(0, NAMES_SHOWN).join(', ')}{files.length > NAMES_SHOWN ? t('export.moreFiles', { count: files.length - NAMES_SHOWN }) : ''}
                      </Text>
                    </List.Item>
                  ))}
                </List>
              </ScrollArea.Autosize>
            </>
          ) : null}
          {result.failed.length ? (
            <>
              <Text size="sm" fw={500}>{t('export.failures')}</Text>
              <ScrollArea.Autosize mah={200}>
                <List size="xs">{result.failed.map((f) => <List.Item key={f.source}>{fileError(f.source, f.error, f.wording)}</List.Item>)}</List>
              </ScrollArea.Autosize>
            </>
          ) : null}
          <Group justify="flex-end">
            {api.reveal ? <Button variant="default" onClick={() => void api.reveal!(result.outDir)}>{t('export.reveal')}</Button> : null}
            <Button onClick={() => { setDismissed(job.result); onClose(); }} data-testid="export-close">{t('export.close')}</Button>
          </Group>
        </Stack>
      ) : (
        <Stack gap="sm">
          {count === 0 ? <Alert color="yellow">{t('export.nothing')}</Alert> : null}
          <Group align="end" wrap="nowrap">
            <TextInput label={t('export.outDir')} description={t('export.outDirHelp')} value={options.outDir} onChange={(e) => set({ outDir: e.currentTarget.value })} style={{ flex: 1 }} data-testid="export-outdir" />
            {api.pick ? <Button variant="default" onClick={() => void api.pick!('folder').then(([d]) => d && set({ outDir: d }))}>{t('export.browse')}</Button> : null}
          </Group>
          <SimpleGrid cols={2}>
            <TextInput label={t('export.name')} description={t('export.nameHelp')} value={options.nameTemplate} onChange={(e) => set({ nameTemplate: e.currentTarget.value })} />
            <Checkbox mt="xl" label={t('export.keepTree')} checked={options.keepTree} onChange={(e) => set({ keepTree: e.currentTarget.checked })} />
            <Select
              label={t('export.format')}
              value={options.format}
              onChange={(v) => v && set({ format: v as ExportFormat })}
              data={[{ value: 'same', label: t('export.same') }, { value: 'jpeg', label: 'JPEG' }, { value: 'png', label: 'PNG' }, { value: 'webp', label: 'WebP' }, { value: 'avif', label: 'AVIF' }]}
              data-testid="export-format"
            />
            <SliderField label={t('export.quality')} format={String} min={40} max={100} value={options.quality} onChange={(v) => set({ quality: v })} disabled={options.format === 'png'} mt="xs" data-testid="export-quality" />
          </SimpleGrid>
          <Stack gap={4}>
            <Text size="sm" fw={500}>{t('export.resize')}</Text>
            <Group align="end">
              <SegmentedControl
                size="xs"
                value={options.resize.mode}
                onChange={(v) => set({ resize: v === 'long-edge' ? { mode: 'long-edge', size: 2000 } : v === 'fit' ? { mode: 'fit', width: 1600, height: 1600 } : { mode: 'none' } })}
                data={[{ value: 'none', label: t('export.resizeNone') }, { value: 'long-edge', label: t('export.resizeLong') }, { value: 'fit', label: t('export.resizeFit') }]}
              />
              {options.resize.mode === 'long-edge' ? (
                <NumberInput size="xs" w={110} aria-label={t('export.longEdge')} min={16} max={30000} value={options.resize.size} onChange={(v) => set({ resize: { mode: 'long-edge', size: Number(v) || 16 } })} />
              ) : null}
              {options.resize.mode === 'fit' ? (
                <>
                  <NumberInput size="xs" w={100} aria-label={t('export.width')} min={16} max={30000} value={options.resize.width} onChange={(v) => options.resize.mode === 'fit' && set({ resize: { ...options.resize, width: Number(v) || 16 } })} />
                  <Text size="sm">×</Text>
                  <NumberInput size="xs" w={100} aria-label={t('export.height')} min={16} max={30000} value={options.resize.height} onChange={(v) => options.resize.mode === 'fit' && set({ resize: { ...options.resize, height: Number(v) || 16 } })} />
                </>
              ) : null}
            </Group>
          </Stack>
          <SimpleGrid cols={3}>
            <NumberInput label={t('export.dpi')} description={t('export.dpiHelp')} min={1} max={10000} value={options.dpi ?? ''} onChange={(v) => set({ dpi: v === '' ? null : Number(v) })} />
            <Select label={t('export.colour')} value={options.colour} onChange={(v) => v && set({ colour: v as 'keep' | 'srgb' })} data={[{ value: 'srgb', label: t('export.srgb') }, { value: 'keep', label: t('export.keepIcc') }]} />
            <Select
              label={t('export.metadata')}
              value={options.metadata}
              onChange={(v) => v && set({ metadata: v as ExportOptions['metadata'] })}
              data={[{ value: 'keep', label: t('export.keep') }, { value: 'strip-location', label: t('export.stripLocation') }, { value: 'strip-all', label: t('export.stripAll') }]}
            />
          </SimpleGrid>
          <Divider label={t('export.rights')} labelPosition="left" />
          <SimpleGrid cols={2}>
            <TextInput label={t('export.creator')} value={rights.creator ?? ''} onChange={(e) => set({ rights: { ...rights, creator: e.currentTarget.value } })} />
            <TextInput label={t('export.copyright')} value={rights.copyright ?? ''} onChange={(e) => set({ rights: { ...rights, copyright: e.currentTarget.value } })} />
            <TextInput label={t('export.webStatement')} value={rights.webStatement ?? ''} onChange={(e) => set({ rights: { ...rights, webStatement: e.currentTarget.value } })} placeholder="https://" />
            <TextInput label={t('export.usageTerms')} value={rights.usageTerms ?? ''} onChange={(e) => set({ rights: { ...rights, usageTerms: e.currentTarget.value } })} />
          </SimpleGrid>
          <Group grow align="end">
            <Select label={t('export.platform')} value={options.platform} onChange={(v) => v && set({ platform: v as PlatformId })} data={[{ value: 'generic', label: t('export.generic') }, { value: 'amazon-main', label: t('export.amazon') }]} data-testid="export-platform" />
            <Switch label={t('export.hidden')} checked={options.hidden} onChange={(e) => set({ hidden: e.currentTarget.checked })} mb={6} />
          </Group>
          {job.error ? <Alert color="red" data-testid="export-error">{job.error}</Alert> : null}
          <Group justify="flex-end">
            <Button disabled={count === 0 || !options.outDir.trim()} onClick={start} data-testid="export-start">{t('export.start')}</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
