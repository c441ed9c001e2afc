import { Alert, Badge, Button, Code, Group, List, Stack, Table, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BundleRecord, BundleStatus, PublicKeyInfo, VerifyBundleResult } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';

const COLOURS: Record<BundleStatus, string> = { intact: 'teal', changed: 'red', missing: 'gray', unverified: 'yellow' };

/** Bundles built from this library with their status; verify and open each. */
export function BundleList({ refreshKey }: { refreshKey: number }) {
  const { t } = useTranslation('bundles');
  const [bundles, setBundles] = useState<BundleRecord[]>([]);
  const [verified, setVerified] = useState<{ id: string; result: VerifyBundleResult } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [key, setKey] = useState<PublicKeyInfo | null>(null);
  const load = useCallback(async () => setBundles((await api.call('bundles.list', {})).bundles), []);
  useEffect(() => {
    void load();
  }, [load, refreshKey]);

  const verify = async (b: BundleRecord) => {
    setBusy(b.bundleId);
    try {
      const result = await api.call('bundles.verify', { path: b.zipExists ? b.zip : b.folder });
      setVerified({ id: b.bundleId, result });
      await load();
    } finally {
      setBusy(null);
    }
  };

  return (
    <Stack gap="sm" data-testid="bundle-list">
      <Group justify="space-between">
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={() => void load()}>{t('list.refresh')}</Button>
          <Button size="xs" variant="subtle" onClick={() => void api.call('bundles.exportPublicKey', {}).then(setKey)}>{t('list.exportKey')}</Button>
        </Group>
      </Group>
      {key ? (
        <Alert withCloseButton onClose={() => setKey(null)} title={`${t('list.key')}: ${key.fingerprint}`}>
          <Code block>{key.pem}</Code>
        </Alert>
      ) : null}
      {verified ? (
        <Alert color={verified.result.ok ? 'teal' : 'red'} withCloseButton onClose={() => setVerified(null)} data-testid="verify-result"
          title={t('list.verified', { id: verified.id, result: verified.result.ok ? t('list.intact') : t('list.problems', { count: verified.result.problems.length }) })}>
          <List size="xs">{verified.result.problems.map((p) => <List.Item key={`${p.kind}${p.path ?? ''}${p.message}`}>{p.message}</List.Item>)}</List>
        </Alert>
      ) : null}
      {bundles.length === 0 ? <Text c="dimmed" data-testid="bundle-list-empty">{t('list.empty')}</Text> : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('list.id')}</Table.Th><Table.Th>{t('list.kind')}</Table.Th><Table.Th>{t('list.title')}</Table.Th>
              <Table.Th>{t('list.created')}</Table.Th><Table.Th>{t('list.status')}</Table.Th><Table.Th>{t('list.folder')}</Table.Th><Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {bundles.map((b) => (
              <Table.Tr key={b.bundleId} data-testid="bundle-row">
                <Table.Td ff="monospace" fz="xs">{b.bundleId}</Table.Td>
                <Table.Td>{t(`list.kinds.${b.kind}`)}</Table.Td>
                <Table.Td>{b.title}</Table.Td>
                <Table.Td fz="xs">{b.createdAt.replace('T', ' ').slice(0, 16)}</Table.Td>
                <Table.Td><Badge color={COLOURS[b.status]} variant="light" data-testid="bundle-status">{t(`list.statuses.${b.status}`)}</Badge></Table.Td>
                <Table.Td fz="xs" maw={280} style={{ wordBreak: 'break-all' }}>{b.folder}</Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Button size="compact-xs" variant="light" loading={busy === b.bundleId} disabled={b.status === 'missing'} onClick={() => void verify(b)} data-testid="bundle-verify">{t('list.verify')}</Button>
                    {api.reveal && b.folderExists ? <Button size="compact-xs" variant="subtle" onClick={() => void api.reveal?.(b.folder)}>{t('list.open')}</Button> : null}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
