import { Box, Button, Checkbox, Group, Image, ScrollArea, SegmentedControl, Stack, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImageItem } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';

export type SourceMode = 'library' | 'files';

export interface SourcesState {
  mode: SourceMode;
  selectedIds: number[];
  paths: string[];
  recursive: boolean;
  /** Files the chosen paths expand to (folders walked by the core). */
  files: { path: string; relative: string }[];
}

const CELL = 112;

/** Library thumbnails to tick, or files and folders from disk. Clicking an image previews it. */
export function SourcesPanel({ state, onChange, items, current, onPreview }: {
  state: SourcesState;
  onChange: (s: SourcesState) => void;
  items: ImageItem[];
  current: string | null;
  onPreview: (key: string) => void;
}) {
  const { t } = useTranslation('watermark');
  const fileInput = useRef<HTMLInputElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const rows = Math.ceil(items.length / 2);
  const virtualizer = useVirtualizer({ count: rows, getScrollElement: () => scroller.current, estimateSize: () => CELL + 8, overscan: 4 });
  const selected = new Set(state.selectedIds);

  const toggle = (id: number) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onChange({ ...state, selectedIds: [...next] });
    onPreview(`id:${id}`);
  };
  const addPaths = (paths: string[]) => onChange({ ...state, paths: [...new Set([...state.paths, ...paths])] });

  return (
    <Stack gap="xs" h="100%" data-testid="sources-panel">
      <SegmentedControl
        value={state.mode}
        onChange={(v) => onChange({ ...state, mode: v as SourceMode })}
        data={[{ value: 'library', label: t('sources.library') }, { value: 'files', label: t('sources.files') }]}
        data-testid="sources-mode"
      />
      {state.mode === 'library' ? (
        <>
          <Group justify="space-between" gap={4}>
            <Text size="xs" c="dimmed" data-testid="sources-selected">{t('sources.selected', { count: selected.size })}</Text>
            <Group gap={4}>
              <Button size="compact-xs" variant="subtle" onClick={() => onChange({ ...state, selectedIds: items.map((i) => i.id) })}>{t('sources.selectAll')}</Button>
              <Button size="compact-xs" variant="subtle" onClick={() => onChange({ ...state, selectedIds: [] })}>{t('sources.selectNone')}</Button>
            </Group>
          </Group>
          {items.length === 0 ? <Text size="sm" c="dimmed">{t('sources.libraryEmpty')}</Text> : null}
          <Box ref={scroller} style={{ flex: 1, minHeight: 0, overflow: 'auto' }}>
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((row) => (
                <Group key={row.key} gap={8} wrap="nowrap" style={{ position: 'absolute', top: row.start, left: 0, right: 0 }}>
                  {items.slice(row.index * 2, row.index * 2 + 2).map((item) => (
                    <Box
                      key={item.id}
                      data-testid="source-cell"
                      data-id={item.id}
                      onClick={() => toggle(item.id)}
                      pos="relative"
                      style={{
                        width: CELL, height: CELL, cursor: 'pointer', borderRadius: 6, padding: 3,
                        outline: current === `id:${item.id}` ? '2px solid var(--mantine-primary-color-filled)' : '1px solid var(--mantine-color-default-border)',
                      }}
                    >
                      <Image src={api.mediaUrl('thumb', item.id)} alt={item.title} h={CELL - 6} fit="contain" loading="lazy" radius="sm" />
                      <Checkbox checked={selected.has(item.id)} readOnly size="xs" pos="absolute" top={6} left={6} aria-label={item.title} />
                    </Box>
                  ))}
                </Group>
              ))}
            </div>
          </Box>
        </>
      ) : (
        <>
          <Text size="sm" c="dimmed">{t('sources.drop')}</Text>
          <Group gap={4}>
            <Button size="xs" variant="default" data-testid="sources-add-files" onClick={() => {
              if (api.pick) void api.pick('files').then((p) => p.length && addPaths(p));
              else fileInput.current?.click();
            }}>{t('sources.addFiles')}</Button>
            {api.pick ? <Button size="xs" variant="default" onClick={() => void api.pick!('folder').then((p) => p.length && addPaths(p))}>{t('sources.addFolder')}</Button> : null}
            {state.paths.length ? <Button size="xs" variant="subtle" color="red" onClick={() => onChange({ ...state, paths: [], files: [] })}>{t('sources.clear')}</Button> : null}
          </Group>
          <input ref={fileInput} type="file" multiple accept="image/*" hidden onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            if (files.length) void api.pathsForFiles(files).then(addPaths);
            e.currentTarget.value = '';
          }} />
          <Checkbox size="xs" label={t('sources.recursive')} checked={state.recursive} onChange={(e) => onChange({ ...state, recursive: e.currentTarget.checked })} />
          <ScrollArea style={{ flex: 1, minHeight: 0 }}>
            <Stack gap={2} data-testid="sources-files">
              {state.files.map((f) => (
                <Text
                  key={f.path}
                  size="xs"
                  truncate="start"
                  title={f.path}
                  data-testid="source-file"
                  onClick={() => onPreview(`file:${f.path}`)}
                  style={{ cursor: 'pointer', padding: '2px 4px', borderRadius: 4, background: current === `file:${f.path}` ? 'var(--mantine-primary-color-light)' : undefined }}
                >
                  {f.relative}
                </Text>
              ))}
            </Stack>
          </ScrollArea>
        </>
      )}
    </Stack>
  );
}
