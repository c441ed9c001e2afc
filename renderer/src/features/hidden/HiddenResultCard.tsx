import { Alert, Stack, Text } from '@mantine/core';
import { IconFingerprint } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { HiddenDetectResult } from '../../../../electron/contract/index.ts';
import { useWording } from '../../components/notice.ts';

/** The orientation phrases the core reports, in its order (see hidden/api.ts). */
const ORIENTATIONS = ['as marked', 'mirrored across the diagonal', 'mirrored left-right', 'rotated 90° anticlockwise', 'mirrored top-bottom', 'rotated 90° clockwise', 'rotated 180°', 'mirrored across the anti-diagonal'];

/** Key labels the core stores in English for the library's own key, in the interface language. */
export function keyLabel(label: string, t: (key: string) => string): string {
  if (label === 'This library') return t('key.thisLibrary');
  if (label === 'This library (restored backup)') return t('key.restored');
  return label;
}

function percent(confidence: number): string {
  if (confidence >= 0.999999) return '> 99.9999%';
  return `${(confidence * 100).toFixed(2)}%`;
}

/**
 * One hidden-mark reading: found (owner, image #id and title, confidence) or not found.
 * Reusable: the Find screen shows it next to its matches.
 */
export function HiddenResultCard({ result, name }: { result: HiddenDetectResult; name?: string }) {
  const { t } = useTranslation('hidden');
  const word = useWording();
  const orient = result.orientation ? ORIENTATIONS.indexOf(result.orientation) : -1;
  const file = <Text size="xs" c="dimmed">{name ? t('result.file', { name, width: result.width, height: result.height }) : `${result.width}×${result.height}`}</Text>;
  const warnings = result.warnings.map((w) => <Text key={w.code} size="xs" c="orange">{word(w, w.text)}</Text>);
  if (!result.found) {
    return (
      <Alert color={result.signal === 'faint' ? 'yellow' : 'gray'} variant="light" title={name ?? t('result.title')} icon={<IconFingerprint />} data-testid="hidden-result" data-found="false">
        <Stack gap={4}>
          <Text size="sm">{result.signal === 'faint' ? t('result.faint') : t('result.none')}</Text>
          <Text size="xs" c="dimmed">{t('result.keys', { count: result.keysTried })}</Text>
          {file}
          {warnings}
        </Stack>
      </Alert>
    );
  }
  const head = result.title
    ? t('result.foundTitle', { owner: result.ownerId, id: result.imageId, title: result.title })
    : t('result.found', { owner: result.ownerId, id: result.imageId });
  return (
    <Alert color="teal" variant="light" title={name ?? t('result.title')} icon={<IconFingerprint />} data-testid="hidden-result" data-found="true">
      <Stack gap={4}>
        <Text size="md" fw={600} data-testid="hidden-result-head">{head}</Text>
        <Text size="sm">{result.ownKey ? t('result.ownKey') : t('result.otherKey', { label: keyLabel(result.keyLabel ?? '', t) })}</Text>
        {result.ownKey && !result.inLibrary && result.imageId ? <Text size="sm" c="dimmed">{t('result.notInLibrary', { id: result.imageId })}</Text> : null}
        <Text size="sm">{t('result.confidence', { pct: percent(result.confidence), exp: result.falseMatchExponent ?? '' })}</Text>
        {orient > 0 ? <Text size="sm">{t('result.orientation', { how: (t('result.orient', { returnObjects: true }) as string[])[orient] })}</Text> : null}
        {file}
        {warnings}
      </Stack>
    </Alert>
  );
}
