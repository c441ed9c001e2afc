import { Alert, Badge, Button, Checkbox, CopyButton, Group, Modal, Paper, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconDownload, IconKey, IconUpload } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HiddenKeyInfo } from '../../../../electron/contract/index.ts';
import { api, ApiError } from '../../api.ts';
import { keyLabel } from './HiddenResultCard.tsx';

const message = (err: unknown) => (err instanceof ApiError ? err.info.message : err instanceof Error ? err.message : String(err));

/** The owner key: id and fingerprint (never the secret), backup and restore, and the keys used for detection. */
export function HiddenKeyPanel({ onChange }: { onChange?: () => void }) {
  const { t } = useTranslation('hidden');
  const [info, setInfo] = useState<HiddenKeyInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [backup, setBackup] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [text, setText] = useState('');
  const [useForEmbedding, setUseForEmbedding] = useState(false);
  const [label, setLabel] = useState('');
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(async (create = false) => {
    try {
      setInfo(await api.call('hidden.key.info', { create }));
      setError(null);
    } catch (err) {
      setError(message(err));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const exportKey = async () => {
    try {
      const r = await api.call('hidden.key.export', {});
      setBackup(r.text);
      await load();
    } catch (err) {
      setError(message(err));
    }
  };

  const importKey = async () => {
    try {
      const r = await api.call('hidden.key.import', { text, useForEmbedding, ...(label.trim() ? { label: label.trim() } : {}) });
      setDone(r.added ? t('key.imported', { owner: r.ownerId }) : t('key.already', { owner: r.ownerId }));
      setText('');
      setLabel('');
      setUseForEmbedding(false);
      setImporting(false);
      await load();
      onChange?.();
    } catch (err) {
      setError(message(err));
    }
  };

  const download = () => {
    if (!backup) return;
    const url = URL.createObjectURL(new Blob([backup], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `proofmark-hidden-key-${info?.own?.ownerId ?? 'backup'}.json`;
    a.click();
    URL.revokeObjectURL(url);
  };

  const own = info?.own ?? null;
  return (
    <Paper withBorder p="md" data-testid="hidden-key-panel">
      <Stack gap="sm">
        <Group gap="xs">
          <IconKey size={20} aria-hidden />
          <Title order={5}>{t('key.title')}</Title>
        </Group>
        {error ? <Alert color="red" withCloseButton onClose={() => setError(null)}>{error}</Alert> : null}
        {done ? <Alert color="teal" withCloseButton onClose={() => setDone(null)}>{done}</Alert> : null}
        {info && !own ? (
          <Stack gap="xs">
            <Text size="sm">{t('key.none')}</Text>
            <Group>
              <Button size="xs" onClick={() => void load(true)} data-testid="hidden-key-create">{t('key.create')}</Button>
            </Group>
          </Stack>
        ) : null}
        {own ? (
          <Group gap="xl">
            <Stack gap={0}>
              <Text size="xs" c="dimmed">{t('key.owner')}</Text>
              <Text size="lg" fw={700} ff="monospace" data-testid="hidden-owner-id">{own.ownerId}</Text>
            </Stack>
            <Stack gap={0}>
              <Text size="xs" c="dimmed">{t('key.fingerprint')}</Text>
              <Text ff="monospace">{own.fingerprint}</Text>
            </Stack>
            <Stack gap={0}>
              <Text size="xs" c="dimmed">{t('key.created')}</Text>
              <Text size="sm">{own.createdAt.slice(0, 10)}</Text>
            </Stack>
          </Group>
        ) : null}
        <Group gap="xs">
          <Button size="xs" variant="light" leftSection={<IconDownload size={16} />} onClick={() => void exportKey()} data-testid="hidden-key-export">{t('key.export')}</Button>
          <Button size="xs" variant="default" leftSection={<IconUpload size={16} />} onClick={() => setImporting(true)} data-testid="hidden-key-import">{t('key.import')}</Button>
        </Group>
        {info && info.keys.length > 0 ? (
          <Stack gap={4}>
            <Text size="sm" fw={600}>{t('key.keysTitle')}</Text>
            <Table striped withTableBorder fz="sm">
              <Table.Tbody>
                {info.keys.map((k) => (
                  <Table.Tr key={k.ownerId}>
                    <Table.Td ff="monospace">{k.ownerId}</Table.Td>
                    <Table.Td>{keyLabel(k.label, t)}</Table.Td>
                    <Table.Td ff="monospace">{k.fingerprint}</Table.Td>
                    <Table.Td>{k.own ? <Badge color="teal" variant="light" title={t('key.ownHint')}>{t('key.own')}</Badge> : <Badge color="gray" variant="light">{t('key.detectOnly')}</Badge>}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        ) : null}
      </Stack>

      <Modal opened={backup !== null} onClose={() => setBackup(null)} title={t('key.exportTitle')} size="lg">
        <Stack>
          <Alert color="orange" variant="light">{t('key.exportWarning')}</Alert>
          <Textarea value={backup ?? ''} readOnly autosize minRows={6} ff="monospace" data-testid="hidden-key-backup" />
          <Group justify="flex-end">
            <CopyButton value={backup ?? ''}>{({ copied, copy }) => <Button variant="default" onClick={copy}>{copied ? t('key.copied') : t('key.copy')}</Button>}</CopyButton>
            <Button leftSection={<IconDownload size={16} />} onClick={download}>{t('key.download')}</Button>
          </Group>
        </Stack>
      </Modal>

      <Modal opened={importing} onClose={() => setImporting(false)} title={t('key.importTitle')} size="lg">
        <Stack>
          <Textarea
            label={t('key.importText')}
            description={t('key.importHint')}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            autosize
            minRows={6}
            ff="monospace"
            data-testid="hidden-key-import-text"
            onDrop={(e) => {
              const file = e.dataTransfer.files[0];
              if (!file) return;
              e.preventDefault();
              void file.text().then(setText);
            }}
          />
          <TextInput label={t('key.label')} value={label} onChange={(e) => setLabel(e.currentTarget.value)} maxLength={100} />
          <Checkbox label={t('key.useForEmbedding')} checked={useForEmbedding} onChange={(e) => setUseForEmbedding(e.currentTarget.checked)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setImporting(false)}>{t('key.close')}</Button>
            <Button onClick={() => void importKey()} disabled={!text.trim()} data-testid="hidden-key-import-go">{t('key.importButton')}</Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}
