import { Alert, Badge, Button, Card, Group, Image, Modal, Stack, Text } from '@mantine/core';
import { IconCopy } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { JobProgress } from '../../components/JobProgress.tsx';
import { useJob } from '../../components/useJob.ts';

/** "Possible duplicates" for the library screen: groups of items that are copies or edits of each other. */
export function DuplicatesButton({ onOpenItem }: { onOpenItem?: (id: number) => void }) {
  const { t } = useTranslation('find');
  const [open, setOpen] = useState(false);
  const job = useJob('find.duplicates');
  const check = () => void job.run({});
  const r = job.result;
  return (
    <>
      <Button variant="default" leftSection={<IconCopy size={16} />} onClick={() => { setOpen(true); check(); }} data-testid="library-duplicates">{t('dups.button')}</Button>
      <Modal opened={open} onClose={() => { job.cancel(); setOpen(false); }} title={t('dups.title')} size="xl">
        <Stack gap="sm" data-testid="duplicates-panel">
          {job.running ? (
            <>
              <Text size="sm">{t('dups.checking')}</Text>
              <JobProgress progress={job.progress} onCancel={job.cancel} />
            </>
          ) : null}
          {job.error ? <Alert color="red">{job.error}</Alert> : null}
          {r && !r.groups.length ? <Text size="sm" c="dimmed">{t('dups.none', { count: r.checked })}</Text> : null}
          {r?.groups.map((g, i) => (
            <Card key={g.items[0]!.id} withBorder padding="xs" data-testid="duplicates-group">
              <Text fw={600} size="sm" mb={6}>{t('dups.group', { n: i + 1 })}</Text>
              <Group gap="sm">
                {g.items.map((it) => (
                  <Stack key={it.id} gap={2} align="center" w={120} style={{ cursor: onOpenItem ? 'pointer' : undefined }} onClick={() => { if (onOpenItem) { onOpenItem(it.id); setOpen(false); } }}>
                    <Image src={api.mediaUrl('thumb', it.id)} w={110} h={110} fit="contain" radius="sm" alt="" />
                    <Text size="xs" truncate maw={118}>#{it.id} {it.title}</Text>
                    <Badge size="xs" color="teal" variant="light">{Math.round(it.score)}</Badge>
                  </Stack>
                ))}
              </Group>
            </Card>
          ))}
          {r && r.notFingerprinted > 0 ? <Alert color="yellow">{t('dups.missing', { count: r.notFingerprinted })}</Alert> : null}
          {r ? <Group><Button size="xs" variant="subtle" onClick={check}>{t('dups.again')}</Button></Group> : null}
        </Stack>
      </Modal>
    </>
  );
}
