import { Alert, Button, Grid, Group, Loader, Paper, ScrollArea, Stack, Text, Title } from '@mantine/core';
import { IconPhotoSearch } from '@tabler/icons-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HiddenDetectResult } from '../../../../electron/contract/index.ts';
import { api, ApiError } from '../../api.ts';
import { DropArea } from '../../components/DropArea.tsx';
import { HiddenKeyPanel } from './HiddenKeyPanel.tsx';
import { HiddenResultCard } from './HiddenResultCard.tsx';
import { baseName, readAsBase64 } from '../../components/files.ts';

interface Reading {
  id: number;
  name: string;
  result?: HiddenDetectResult;
  error?: string;
}

let seq = 0;

/** Hidden mark: check any copy for the mark, and manage the owner key. */
export function HiddenScreen() {
  const { t } = useTranslation('hidden');
  const [readings, setReadings] = useState<Reading[]>([]);
  const [busy, setBusy] = useState(0);
  const fileInput = useRef<HTMLInputElement>(null);

  const detect = useCallback(async (name: string, input: { path: string } | { bytesBase64: string }) => {
    const id = ++seq;
    setReadings((r) => [{ id, name }, ...r].slice(0, 20));
    setBusy((b) => b + 1);
    try {
      const result = await api.call('hidden.detect', input);
      setReadings((r) => r.map((x) => (x.id === id ? { ...x, result } : x)));
    } catch (err) {
      const error = err instanceof ApiError ? err.info.message : err instanceof Error ? err.message : String(err);
      setReadings((r) => r.map((x) => (x.id === id ? { ...x, error } : x)));
    } finally {
      setBusy((b) => b - 1);
    }
  }, []);

  const onPaths = useCallback((paths: string[]) => {
    for (const p of paths.slice(0, 10)) void detect(baseName(p), { path: p });
  }, [detect]);

  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const file = Array.from(e.clipboardData?.files ?? []).find((f) => f.type.startsWith('image/'));
      if (!file) return;
      e.preventDefault();
      void readAsBase64(file).then((b64) => detect(file.name || 'clipboard', { bytesBase64: b64 }));
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [detect]);

  const choose = async () => {
    if (api.pick) {
      onPaths(await api.pick('files'));
      return;
    }
    fileInput.current?.click();
  };

  return (
    <DropArea onPaths={onPaths} testId="hidden-screen">
      <ScrollArea h="100%">
        <Stack gap="md" maw={1200}>
          <Stack gap={4}>
            <Title order={3}>{t('title')}</Title>
            <Text size="sm" c="dimmed" maw={820}>{t('intro')}</Text>
          </Stack>
          <Grid gap="md">
            <Grid.Col span={{ base: 12, md: 7 }}>
              <Stack gap="sm">
                <Paper withBorder p="md" style={{ borderStyle: 'dashed' }}>
                  <Stack gap="xs" align="flex-start">
                    <Group gap="xs">
                      <IconPhotoSearch size={20} aria-hidden />
                      <Title order={5}>{t('check.title')}</Title>
                    </Group>
                    <Text size="sm">{t('check.hint')}</Text>
                    <Text size="xs" c="dimmed">{t('check.paste')}</Text>
                    <Button size="xs" onClick={() => void choose()} data-testid="hidden-choose">{t('check.choose')}</Button>
                    <input
                      ref={fileInput}
                      type="file"
                      accept="image/*"
                      hidden
                      data-testid="hidden-file-input"
                      onChange={(e) => {
                        const files = Array.from(e.currentTarget.files ?? []);
                        e.currentTarget.value = '';
                        for (const f of files.slice(0, 10)) void readAsBase64(f).then((b64) => detect(f.name, { bytesBase64: b64 }));
                      }}
                    />
                  </Stack>
                </Paper>
                {busy > 0 ? (
                  <Group gap="xs">
                    <Loader size="xs" />
                    <Text size="sm">{t('check.running')}</Text>
                  </Group>
                ) : null}
                {readings.map((r) =>
                  r.result ? (
                    <HiddenResultCard key={r.id} result={r.result} name={r.name} />
                  ) : r.error ? (
                    <Alert key={r.id} color="red" title={r.name}>{r.error}</Alert>
                  ) : null,
                )}
              </Stack>
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 5 }}>
              <HiddenKeyPanel />
            </Grid.Col>
          </Grid>
        </Stack>
      </ScrollArea>
    </DropArea>
  );
}
