import { Button, Card, Checkbox, Group, Image, Modal, ScrollArea, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImageItem } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';

/** Most images shown at once; search narrows it down. */
const SHOWN = 300;

/** Choose library images to check (thumbnails with check boxes, searchable by title). */
export function LibraryPicker({ opened, onClose, onPick }: { opened: boolean; onClose: () => void; onPick: (ids: number[]) => void }) {
  const { t } = useTranslation('check');
  const [text, setText] = useState('');
  const [items, setItems] = useState<ImageItem[]>([]);
  const [chosen, setChosen] = useState<Set<number>>(new Set());

  useEffect(() => {
    if (!opened) return;
    let live = true;
    const timer = setTimeout(() => {
      void api.call('library.list', { text: text || undefined, limit: SHOWN }).then((r) => live && setItems(r.items));
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [opened, text]);

  const toggle = (id: number) => setChosen((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });

  return (
    <Modal opened={opened} onClose={onClose} title={t('picker.title')} size="xl">
      <Stack gap="sm" data-testid="library-picker">
        <TextInput placeholder={t('picker.search')} value={text} onChange={(e) => setText(e.currentTarget.value)} />
        {items.length === 0 ? <Text c="dimmed">{t('picker.none')}</Text> : (
          <ScrollArea h={420}>
            <SimpleGrid cols={5} spacing="xs">
              {items.map((item) => (
                <Card key={item.id} padding={4} withBorder onClick={() => toggle(item.id)} style={{ cursor: 'pointer' }} data-testid="picker-item">
                  <Image src={api.mediaUrl('thumb', item.id)} alt={item.title} h={90} fit="contain" />
                  <Group gap={4} wrap="nowrap" mt={4}>
                    <Checkbox size="xs" checked={chosen.has(item.id)} onChange={() => toggle(item.id)} onClick={(e) => e.stopPropagation()} aria-label={item.title} />
                    <Text fz="xs" truncate>{item.title}</Text>
                  </Group>
                </Card>
              ))}
            </SimpleGrid>
          </ScrollArea>
        )}
        <Group justify="flex-end">
          <Button disabled={chosen.size === 0} onClick={() => { onPick([...chosen]); setChosen(new Set()); }} data-testid="picker-add">{t('picker.add', { count: chosen.size })}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
