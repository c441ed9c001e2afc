import { Button, Group, Progress as Bar, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Progress } from '../../../electron/contract/index.ts';

/** Progress bar with done/total, current file, rate, ETA and a cancel button. */
export function JobProgress({ progress, onCancel }: { progress: Progress | null; onCancel?: () => void }) {
  const { t } = useTranslation();
  const done = progress?.done ?? 0;
  const total = progress?.total ?? 0;
  const pct = total > 0 ? (done / total) * 100 : 0;
  return (
    <Stack gap={4} data-testid="job-progress">
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm">{t('progress.working', { done, total })}</Text>
        <Group gap="xs" wrap="nowrap">
          {progress?.rate ? <Text size="xs" c="dimmed">{t('progress.rate', { rate: progress.rate.toFixed(1) })}</Text> : null}
          {progress?.etaSeconds !== undefined ? <Text size="xs" c="dimmed">{t('progress.eta', { seconds: Math.ceil(progress.etaSeconds) })}</Text> : null}
          {onCancel ? <Button size="compact-xs" variant="light" color="red" onClick={onCancel}>{t('actions.cancel')}</Button> : null}
        </Group>
      </Group>
      <Bar value={pct} animated={total === 0} />
      {progress?.current ? <Text size="xs" c="dimmed" truncate="start">{progress.current}</Text> : null}
    </Stack>
  );
}
