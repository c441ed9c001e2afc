import { Alert, Badge, Box, Button, Checkbox, Group, List, Modal, Radio, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FixedFile, FixReport } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';
import { JobProgress } from '../../components/JobProgress.tsx';
import { useJob } from '../../components/useJob.ts';

interface Props {
  opened: boolean;
  onClose: () => void;
  profileId: string;
  paths: string[];
  imageIds: number[];
  /** Check the files the fix wrote (a folder) with the same profile. */
  onCheckOutputs: (paths: string[], imageIds: number[]) => void;
}

/** Keeps a path left-to-right inside a start-truncated (right-to-left) text. */
export const ltr = (text: string) => `\u200e${text}\u200e`;

const statusColour: Record<FixedFile['status'], string> = { fixed: 'teal', planned: 'blue', unchanged: 'gray', failed: 'red' };

function FileLine({ f }: { f: FixedFile }) {
  const { t, i18n } = useTranslation('check');
  const zh = i18n.language.startsWith('zh');
  const label = { fixed: t('fix.done'), planned: t('fix.planned'), unchanged: t('fix.unchanged'), failed: t('fix.failed') }[f.status];
  const remaining = zh ? f.remainingZh : f.remaining;
  return (
    <Box py={6} style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }} data-testid="fix-line" data-status={f.status}>
      <Group gap="xs" wrap="nowrap">
        <Badge size="sm" color={statusColour[f.status]}>{label}</Badge>
        <Text fz="sm" fw={600} truncate>{f.name}</Text>
        {f.derivedImageId !== undefined ? <Text fz="xs" c="dimmed">{t('fix.libraryImage', { id: f.derivedImageId })}</Text> : f.output ? <Text fz="xs" c="dimmed" truncate="start">{ltr(t('fix.writesTo', { path: f.output }))}</Text> : null}
      </Group>
      {f.actions.length ? (
        <List size="xs" mt={4} spacing={2}>
          {f.actions.map((a, i) => (
            <List.Item key={i}>
              <Badge size="xs" mr={6} variant="light" color={a.lossless ? 'teal' : 'orange'}>{a.lossless ? t('fix.lossless') : t('fix.lossy')}</Badge>
              {zh ? a.descriptionZh : a.description}
            </List.Item>
          ))}
        </List>
      ) : null}
      {remaining.length ? (
        <Text fz="xs" c="orange" mt={4}>{t('fix.remaining')}: {remaining.join(' ')}</Text>
      ) : null}
      {f.error && !remaining.length ? <Text fz="xs" c="red" mt={4}>{f.error}</Text> : null}
    </Box>
  );
}

/** Fix all: choose where, preview exactly what will change, then write new files (or library versions). */
export function FixModal({ opened, onClose, profileId, paths, imageIds, onCheckOutputs }: Props) {
  const { t } = useTranslation('check');
  const job = useJob('check.fix');
  const [target, setTarget] = useState<'folder' | 'library'>(imageIds.length && !paths.length ? 'library' : 'folder');
  const [outDir, setOutDir] = useState('');
  const [allowReencode, setAllowReencode] = useState(false);
  const [shown, setShown] = useState<FixReport | null>(null);
  const needsFolder = target === 'folder' || paths.length > 0;

  useEffect(() => {
    if (opened) setShown(null);
  }, [opened, profileId, target, outDir, allowReencode]);

  const [asked, setAsked] = useState<'preview' | 'run' | null>(null);
  const call = async (dryRun: boolean) => {
    setAsked(dryRun ? 'preview' : 'run');
    const result = await job.run({ paths, imageIds, profileId, target, outDir: outDir.trim() || undefined, allowReencode, dryRun });
    if (result) setShown(result);
  };

  const visible = shown?.files.filter((f) => !(f.status === 'unchanged' && f.before === 'pass')) ?? [];
  const s = shown?.summary;
  const wroteFolder = shown && !shown.dryRun && shown.outDir;
  return (
    <Modal opened={opened} onClose={onClose} title={t('fix.title')} size="xl">
      <Stack gap="sm" data-testid="fix-modal">
        <Radio.Group label={t('fix.where')} value={target} onChange={(v) => setTarget(v as 'folder' | 'library')}>
          <Group mt={4}>
            <Radio value="folder" label={t('fix.folder')} />
            <Radio value="library" label={t('fix.libraryVersions')} disabled={imageIds.length === 0} />
          </Group>
        </Radio.Group>
        {needsFolder ? (
          <Group align="end" gap="xs">
            <TextInput style={{ flex: 1 }} label={t('fix.outDir')} description={t('fix.outDirHelp')} value={outDir} onChange={(e) => setOutDir(e.currentTarget.value)} data-testid="fix-outdir" />
            {api.pick ? <Button variant="default" onClick={() => void api.pick?.('folder').then((p) => p[0] && setOutDir(p[0]))}>{t('common:actions.browse')}</Button> : null}
          </Group>
        ) : null}
        <Checkbox label={t('fix.allowReencode')} checked={allowReencode} onChange={(e) => setAllowReencode(e.currentTarget.checked)} />
        <Group>
          <Button variant="light" onClick={() => void call(true)} loading={job.running && asked === 'preview'} disabled={job.running} data-testid="fix-preview">{t('fix.preview')}</Button>
          <Button onClick={() => void call(false)} loading={job.running && asked === 'run'} disabled={job.running || (needsFolder && !outDir.trim())} data-testid="fix-run">{t('fix.run')}</Button>
        </Group>
        {needsFolder && !outDir.trim() ? <Text fz="xs" c="dimmed">{t('fix.needFolder')}</Text> : null}
        {job.running ? <JobProgress progress={job.progress} onCancel={job.cancel} /> : null}
        {job.error ? <Alert color="red">{job.error}</Alert> : null}
        {s ? (
          <Alert color={shown.dryRun ? 'blue' : s.stillFailing ? 'yellow' : 'teal'} data-testid="fix-summary">
            {shown.dryRun ? t('fix.previewSummary', { planned: s.planned }) : t('fix.summary', { fixed: s.fixed, unchanged: s.unchanged, failed: s.failed, still: s.stillFailing })}
            {wroteFolder ? (
              <Group gap="xs" mt="xs">
                <Button size="xs" variant="light" onClick={() => onCheckOutputs([shown.outDir!], [])}>{t('fix.checkOutputs')}</Button>
                {api.reveal ? <Button size="xs" variant="default" onClick={() => void api.reveal?.(shown.outDir!)}>{t('fix.reveal')}</Button> : null}
              </Group>
            ) : shown && !shown.dryRun && shown.files.some((f) => f.derivedImageId !== undefined) ? (
              <Group gap="xs" mt="xs">
                <Button size="xs" variant="light" onClick={() => onCheckOutputs([], shown.files.flatMap((f) => (f.derivedImageId !== undefined ? [f.derivedImageId] : [])))}>{t('fix.checkOutputs')}</Button>
              </Group>
            ) : null}
          </Alert>
        ) : null}
        {visible.length ? (
          <ScrollArea.Autosize mah={380} data-testid="fix-list">
            {visible.map((f) => <FileLine key={`${f.imageId ?? ''}:${f.path}`} f={f} />)}
          </ScrollArea.Autosize>
        ) : null}
      </Stack>
    </Modal>
  );
}
