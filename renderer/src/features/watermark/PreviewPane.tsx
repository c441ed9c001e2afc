import { ActionIcon, Alert, Box, Center, Group, Loader, SegmentedControl, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { WatermarkPreviewResult } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';
import { useWording } from '../../components/notice.ts';

/** The design on one image, as the export will be (same relative geometry); before/after toggle. */
export function PreviewPane({ preview, error, busy, showBefore, onShowBefore, position, onStep }: {
  preview: WatermarkPreviewResult | null;
  error: string | null;
  busy: boolean;
  showBefore: boolean;
  onShowBefore: (v: boolean) => void;
  position: { index: number; total: number } | null;
  onStep: (delta: number) => void;
}) {
  const { t } = useTranslation('watermark');
  const word = useWording();
  const token = preview ? (showBefore || !preview.after ? preview.before : preview.after) : null;
  return (
    <Stack h="100%" gap="xs" data-testid="preview-pane">
      <Group justify="space-between">
        <SegmentedControl
          size="xs"
          value={showBefore ? 'before' : 'after'}
          onChange={(v) => onShowBefore(v === 'before')}
          data={[{ value: 'before', label: t('preview.before') }, { value: 'after', label: t('preview.after') }]}
          data-testid="preview-toggle"
        />
        <Group gap="xs">
          {busy ? <Loader size="xs" aria-label={t('preview.rendering')} /> : null}
          {preview ? <Text size="xs" c="dimmed" data-testid="preview-size">{t('preview.exportSize', { width: preview.exportWidth, height: preview.exportHeight })}</Text> : null}
          {position && position.total > 1 ? (
            <Group gap={4}>
              <ActionIcon variant="default" size="sm" aria-label={t('preview.previous')} onClick={() => onStep(-1)}>‹</ActionIcon>
              <Text size="xs">{position.index + 1} / {position.total}</Text>
              <ActionIcon variant="default" size="sm" aria-label={t('preview.next')} onClick={() => onStep(1)}>›</ActionIcon>
            </Group>
          ) : null}
        </Group>
      </Group>
      <Box style={{ flex: 1, minHeight: 0, borderRadius: 8, background: 'var(--mantine-color-default-hover)' }}>
        {token ? (
          <img
            src={api.mediaUrl('file', token)}
            alt=""
            data-testid={showBefore ? 'preview-before' : 'preview-after'}
            style={{ width: '100%', height: '100%', objectFit: 'contain', display: 'block' }}
          />
        ) : (
          <Center h="100%"><Text c="dimmed">{t('preview.pick')}</Text></Center>
        )}
      </Box>
      {error ? <Alert color="red" p="xs" data-testid="preview-error">{error}</Alert> : null}
      {preview?.geometry?.shrunk ? <Text size="xs" c="orange">{t('preview.shrunk')}</Text> : null}
      {preview?.warnings.filter((w) => w.code !== 'watermark.shrunk').map((w) => <Text key={w.text} size="xs" c="orange">{word(w, w.text)}</Text>)}
    </Stack>
  );
}
