import { Alert, Badge, Box, Button, Card, Group, Image, Loader, Paper, ScrollArea, SegmentedControl, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { IconClipboard, IconFileSearch, IconGavel, IconPhotoSearch } from '@tabler/icons-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FindCompareResult, FindHiddenResult, FindMatch, FindResult, FindTransform } from '../../../../electron/contract/index.ts';
import { api, ApiError } from '../../api.ts';
import { DropArea } from '../../components/DropArea.tsx';
import { JobProgress } from '../../components/JobProgress.tsx';
import { useJob } from '../../components/useJob.ts';
import { useNav } from '../../nav.tsx';
import { HiddenResultCard } from '../hidden/HiddenResultCard.tsx';
import { baseName, readAsBase64 } from '../../components/files.ts';

/** The suspect as the core takes it: a file path, or pasted bytes. */
type Suspect = { path: string; name: string } | { base64: string; name: string };

/** What was changed, in the interface language. */
export function useChangeWords() {
  const { t } = useTranslation('find');
  return useCallback((x: FindTransform): string[] => {
    const out: string[] = [];
    const side = Math.sqrt(Math.max(0, x.cropShare));
    if (side < 0.93) out.push(t('words.crop', { pct: Math.round(side * 100) }));
    if (Math.abs(x.scale - 1) > 0.06) out.push(t('words.scale', { pct: Math.round(x.scale * 100) }));
    if (x.flip) out.push(t('words.mirrored'));
    if (Math.abs(x.rotation) >= 1.5) {
      out.push(Math.abs(Math.abs(x.rotation) - 180) < 1.5 ? t('words.upsideDown') : t('words.rotated', { deg: Math.round(Math.abs(x.rotation)), dir: t(x.rotation > 0 ? 'words.cw' : 'words.ccw') }));
    }
    if (x.padded) out.push(t('words.padded'));
    const c = x.colour;
    if (c.greyscale) out.push(t('words.grey'));
    else if (c.saturation < 0.8) out.push(t('words.lessColour'));
    else if (c.saturation > 1.25) out.push(t('words.moreColour'));
    if (c.brightness > 1.08) out.push(t('words.brighter'));
    else if (c.brightness < 0.92) out.push(t('words.darker'));
    if (c.contrast < 0.88) out.push(t('words.lessContrast'));
    else if (c.contrast > 1.12) out.push(t('words.moreContrast'));
    if (x.overlay) out.push(t('words.overlay', { pct: Math.max(1, Math.round(x.overlayShare * 100)) }));
    return out;
  }, [t]);
}

/** The hidden-watermark reading: the hidden feature's own card, or why there is none. */
function HiddenReading({ hidden }: { hidden: FindHiddenResult }) {
  const { t } = useTranslation('find');
  if (hidden.result) return <HiddenResultCard result={hidden.result} />;
  return (
    <Alert color="gray" variant="light" title={t('hidden.title')}>
      <Text size="sm">{t('hidden.error', { error: hidden.error ?? '' })}</Text>
    </Alert>
  );
}

function ResultCard({ m, selected, onSelect }: { m: FindMatch; selected: boolean; onSelect: () => void }) {
  const { t } = useTranslation('find');
  const words = useChangeWords()(m.transform);
  return (
    <UnstyledButton onClick={onSelect} data-testid={`find-result-${m.id}`}>
      <Card withBorder padding="xs" style={{ borderColor: selected ? 'var(--mantine-color-blue-6)' : undefined, borderWidth: selected ? 2 : 1 }}>
        <Group gap="sm" wrap="nowrap" align="start">
          <Image src={api.mediaUrl('thumb', m.id)} w={72} h={72} fit="contain" radius="sm" alt="" />
          <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
            <Group gap={6} wrap="nowrap" justify="space-between">
              <Text fw={600} size="sm" truncate>#{m.id} {m.title}</Text>
              <Badge color={m.isMatch ? 'teal' : 'gray'} variant={m.isMatch ? 'filled' : 'light'} style={{ flexShrink: 0 }}>{Math.round(m.score)}</Badge>
            </Group>
            <Text size="xs" c="dimmed">{m.isMatch ? t('score', { score: Math.round(m.score) }) : t('nearMiss')} · {t('imported', { date: m.importedAt.slice(0, 10) })}</Text>
            {m.isMatch ? <Text size="xs">{words.length ? words.join(' · ') : t('unchanged')}</Text> : null}
          </Stack>
        </Group>
      </Card>
    </UnstyledButton>
  );
}

function CompareView({ suspect, match, queryPath }: { suspect: Suspect; match: FindMatch; queryPath: string | null }) {
  const { t } = useTranslation('find');
  const nav = useNav();
  const words = useChangeWords()(match.transform);
  const [view, setView] = useState<'side' | 'overlay' | 'difference'>('side');
  const [renders, setRenders] = useState<FindCompareResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stale = false;
    setRenders(null);
    setError(null);
    api.call('find.compare', { ...suspect, originalId: match.id })
      .then((r) => !stale && setRenders(r))
      .catch((err: unknown) => !stale && setError(err instanceof ApiError || err instanceof Error ? err.message : String(err)));
    return () => {
      stale = true;
    };
  }, [suspect, match.id]);

  const token = renders ? (view === 'side' ? renders.sideBySide : view === 'overlay' ? renders.overlay : renders.difference) : null;
  return (
    <Stack gap="sm" data-testid="find-compare">
      <Group justify="space-between" wrap="wrap">
        <Title order={4}>#{match.id} {match.title}</Title>
        <Group gap="xs">
          <SegmentedControl size="xs" value={view} onChange={(v) => setView(v as typeof view)} data-testid="find-view"
            data={[{ value: 'side', label: t('compare.side') }, { value: 'overlay', label: t('compare.overlay'), disabled: !renders?.overlay }, { value: 'difference', label: t('compare.difference'), disabled: !renders?.difference }]} />
          <Button leftSection={<IconGavel size={16} />} size="xs" color="red" variant="light" title={t('complaintHint')} data-testid="find-complaint"
            onClick={() => nav.go('bundles', { originalId: match.id, ...(queryPath ? { suspectPath: queryPath } : {}) })}>{t('complaint')}</Button>
        </Group>
      </Group>
      {match.isMatch ? <Text size="sm">{words.length ? words.join(' · ') : t('unchanged')}</Text> : null}
      <Paper withBorder p="xs" bg="var(--mantine-color-gray-0)" style={{ minHeight: 200 }}>
        {error ? <Alert color="red">{error}</Alert> : token ? (
          <Image src={api.mediaUrl('file', token)} fit="contain" mah={440} alt={t(`compare.${view}`)} data-testid="find-render" />
        ) : (
          <Group justify="center" p="xl"><Loader size="sm" /><Text size="sm" c="dimmed">{t('compare.loading')}</Text></Group>
        )}
      </Paper>
      <Text size="xs" c="dimmed">{t(view === 'side' ? 'compare.sideHint' : view === 'overlay' ? 'compare.overlayHint' : 'compare.differenceHint')}</Text>
    </Stack>
  );
}

export function FindScreen() {
  const { t } = useTranslation('find');
  const job = useJob('find.search');
  const backfill = useJob('find.backfill');
  const [suspect, setSuspect] = useState<Suspect | null>(null);
  const [result, setResult] = useState<FindResult | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const { run } = job;

  const searchFor = useCallback(async (s: Suspect) => {
    setSuspect(s);
    setResult(null);
    setSelected(null);
    setNotice(null);
    const r = await run({ ...s, limit: 10 });
    if (r) {
      setResult(r);
      setSelected(r.matches[0]?.id ?? null);
    }
  }, [run]);

  const fromPaths = (paths: string[]) => {
    const p = paths[0];
    if (p) void searchFor({ path: p, name: baseName(p) });
  };

  const fromBlob = useCallback(async (blob: Blob, name: string) => {
    void searchFor({ base64: await readAsBase64(blob), name });
  }, [searchFor]);

  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const item = Array.from(e.clipboardData?.items ?? []).find((i) => i.kind === 'file' && i.type.startsWith('image/'));
      const file = item?.getAsFile();
      if (!file) {
        if (e.clipboardData?.types.includes('Files')) setNotice(t('pasteEmpty'));
        return;
      }
      e.preventDefault();
      void fromBlob(file, file.name && file.name !== 'image.png' ? file.name : 'pasted image');
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [fromBlob, t]);

  const pasteButton = async () => {
    try {
      for (const item of await navigator.clipboard.read()) {
        const type = item.types.find((ty) => ty.startsWith('image/'));
        if (type) return void fromBlob(await item.getType(type), 'pasted image');
      }
      setNotice(t('pasteEmpty'));
    } catch {
      setNotice(t('pasteDenied'));
    }
  };

  const choose = async () => {
    if (api.pick) fromPaths(await api.pick('files'));
    else fileInput.current?.click();
  };

  const match = result?.matches.find((m) => m.id === selected) ?? null;
  const hasMatch = Boolean(result?.matches.some((m) => m.isMatch));
  const changeWords = useChangeWords();
  // The core's sentence is English; the screen says the same in the interface language.
  const summary = (() => {
    if (!result) return '';
    const best = result.matches[0];
    if (best?.isMatch) {
      const words = changeWords(best.transform);
      return t('summaryMatch', { id: best.id, title: best.title, date: best.importedAt.slice(0, 10), changes: words.length ? words.join(t('join')) : t('unchanged'), score: Math.round(best.score) });
    }
    if (result.searched > 0) return t('summaryNone', { count: result.searched });
    return result.summary;
  })();
  const buttons = (
    <Group gap="xs">
      <Button leftSection={<IconFileSearch size={16} />} variant={result ? 'default' : 'filled'} onClick={() => void choose()} data-testid="find-choose">{result ? t('another') : t('choose')}</Button>
      <Button leftSection={<IconClipboard size={16} />} variant="default" onClick={() => void pasteButton()} data-testid="find-paste">{t('paste')}</Button>
      <input ref={fileInput} type="file" accept="image/*" hidden data-testid="find-file-input" onChange={(e) => {
        const files = Array.from(e.currentTarget.files ?? []);
        if (files.length) void api.pathsForFiles(files).then(fromPaths);
        e.currentTarget.value = '';
      }} />
    </Group>
  );

  return (
    <DropArea onPaths={fromPaths} testId="find-drop">
      <Stack h="100%" gap="sm">
        {!result && !job.running ? (
          <Paper withBorder radius="md" p="xl" style={{ borderStyle: 'dashed', borderWidth: 2, minHeight: 320, display: 'flex', alignItems: 'center', justifyContent: 'center' }} data-testid="find-dropzone">
            <Stack align="center" gap="sm" maw={560}>
              <IconPhotoSearch size={64} stroke={1.2} color="var(--mantine-color-blue-6)" />
              <Title order={3} ta="center">{t('dropTitle')}</Title>
              <Text c="dimmed" ta="center" size="sm">{t('dropHint')}</Text>
              {buttons}
            </Stack>
          </Paper>
        ) : (
          <Group justify="space-between" wrap="wrap">
            <Text size="sm" c="dimmed" truncate style={{ maxWidth: '50%' }}>{suspect?.name}</Text>
            {buttons}
          </Group>
        )}
        {notice ? <Alert color="yellow" withCloseButton onClose={() => setNotice(null)}>{notice}</Alert> : null}
        {job.running ? <Group gap="sm"><Loader size="sm" /><Text size="sm">{t(job.progress?.phase === 'fingerprint' ? 'waitingForFingerprints' : 'searching')}</Text></Group> : null}
        {job.running && job.progress?.phase === 'fingerprint' ? <JobProgress progress={job.progress} onCancel={job.cancel} /> : null}
        {job.error ? <Alert color="red" data-testid="find-error">{job.error}</Alert> : null}
        {result ? (
          <>
            <Alert color={hasMatch ? 'teal' : 'gray'} data-testid="find-summary">
              <Text fw={600}>{summary}</Text>
              <Text size="xs" c="dimmed" mt={4}>{t('searched', { count: result.searched, threshold: result.threshold, ms: Math.round(result.queryMs) })}</Text>
              {result.exactItemId !== null ? <Text size="xs" mt={4}>{t('exact', { id: result.exactItemId })}</Text> : null}
            </Alert>
            {result.notFingerprinted > 0 ? (
              <Alert color="yellow">
                <Group gap="sm">
                  <Text size="sm">{t('missing', { count: result.notFingerprinted })}</Text>
                  <Button size="compact-xs" loading={backfill.running} onClick={() => void backfill.run({ redo: false }).then((r) => r && setNotice(t('backfillDone', { count: r.fingerprinted })))}>{t('backfill')}</Button>
                </Group>
                {backfill.running ? <JobProgress progress={backfill.progress} onCancel={backfill.cancel} /> : null}
              </Alert>
            ) : null}
            <Group align="start" gap="md" wrap="nowrap" style={{ flex: 1, minHeight: 0 }}>
              {result.matches.length ? (
                <Stack w={340} gap="xs" style={{ flexShrink: 0, height: '100%' }}>
                  <Text fw={600} size="sm">{t('results')}</Text>
                  <ScrollArea style={{ flex: 1 }} data-testid="find-results">
                    <Stack gap="xs">
                      {result.matches.map((m) => <ResultCard key={m.id} m={m} selected={m.id === selected} onSelect={() => setSelected(m.id)} />)}
                    </Stack>
                  </ScrollArea>
                </Stack>
              ) : null}
              <ScrollArea style={{ flex: 1, height: '100%' }}>
                <Stack gap="sm">
                  {match && suspect ? <CompareView suspect={suspect} match={match} queryPath={result.query.path} /> : null}
                  <Box maw={720} data-testid="find-hidden"><HiddenReading hidden={result.hidden} /></Box>
                </Stack>
              </ScrollArea>
            </Group>
          </>
        ) : null}
      </Stack>
    </DropArea>
  );
}
