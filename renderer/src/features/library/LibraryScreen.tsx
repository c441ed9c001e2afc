import { Alert, Box, Button, Group, List, Stack, Text, TextInput } from '@mantine/core';
import { DateInput, DatesProvider } from '@mantine/dates';
import 'dayjs/locale/zh-cn';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImageItem, ImportResult } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';
import { DropArea } from '../../components/DropArea.tsx';
import { JobProgress } from '../../components/JobProgress.tsx';
import { useFileError } from '../../components/notice.ts';
import { useJob } from '../../components/useJob.ts';
import { DetailPanel } from './DetailPanel.tsx';
import { LibraryGrid } from './LibraryGrid.tsx';
import { DuplicatesButton } from '../find/DuplicatesButton.tsx';

export function LibraryScreen() {
  const { t, i18n } = useTranslation('library');
  const zh = i18n.language.startsWith('zh');
  const fileError = useFileError();
  const [items, setItems] = useState<ImageItem[]>([]);
  const [filter, setFilter] = useState({ text: '', tag: '', from: '', to: '' });
  const [selected, setSelected] = useState<number | null>(null);
  const [lastImport, setLastImport] = useState<ImportResult | null>(null);
  const importJob = useJob('library.import');
  const fileInput = useRef<HTMLInputElement>(null);

  const refresh = useCallback(async () => {
    const q = { text: filter.text || undefined, tag: filter.tag || undefined, from: filter.from || undefined, to: filter.to || undefined };
    const result = await api.call('library.list', q);
    setItems(result.items);
  }, [filter]);

  useEffect(() => {
    const timer = setTimeout(() => void refresh().catch(() => setItems([])), 150);
    return () => clearTimeout(timer);
  }, [refresh]);

  const importPaths = async (paths: string[]) => {
    const result = await importJob.run({ paths });
    if (result) {
      setLastImport(result);
      await refresh();
    }
  };

  const pick = async () => {
    if (api.pick) {
      const paths = await api.pick('files');
      if (paths.length) await importPaths(paths);
    } else fileInput.current?.click();
  };

  const filtered = filter.text || filter.tag || filter.from || filter.to;
  return (
    <DropArea onPaths={(paths) => void importPaths(paths)} testId="library-drop">
      <Group h="100%" gap="md" align="stretch" wrap="nowrap">
        <Box h="100%" style={{ flex: 1, minWidth: 0 }}>
          <Stack h="100%" gap="sm">
            <Group gap="sm" align="end">
              <Button onClick={() => void pick()} loading={importJob.running} data-testid="import-button">{t('import')}</Button>
              <input ref={fileInput} type="file" multiple accept="image/*" hidden onChange={(e) => {
                const files = Array.from(e.currentTarget.files ?? []);
                if (files.length) void api.pathsForFiles(files).then(importPaths);
                e.currentTarget.value = '';
              }} />
              <TextInput placeholder={t('search')} value={filter.text} onChange={(e) => setFilter({ ...filter, text: e.currentTarget.value })} w={220} data-testid="library-search" />
              <TextInput placeholder={t('tag')} value={filter.tag} onChange={(e) => setFilter({ ...filter, tag: e.currentTarget.value })} w={120} />
              {/* The calendar follows the interface language; dates show as YYYY-MM-DD in both. */}
              <DatesProvider settings={{ locale: zh ? 'zh-cn' : 'en', firstDayOfWeek: zh ? 1 : 0 }}>
                <DateInput clearable valueFormat="YYYY-MM-DD" monthLabelFormat={zh ? 'YYYY年M月' : 'MMMM YYYY'} aria-label={t('from')} leftSection={<Text size="xs" c="dimmed">{t('from')}</Text>} leftSectionWidth={64} value={filter.from || null} maxDate={filter.to || undefined} onChange={(v) => setFilter({ ...filter, from: v ?? '' })} w={190} data-testid="filter-from" />
                <DateInput clearable valueFormat="YYYY-MM-DD" monthLabelFormat={zh ? 'YYYY年M月' : 'MMMM YYYY'} aria-label={t('to')} leftSection={<Text size="xs" c="dimmed">{t('to')}</Text>} leftSectionWidth={64} value={filter.to || null} minDate={filter.from || undefined} onChange={(v) => setFilter({ ...filter, to: v ?? '' })} w={190} data-testid="filter-to" />
              </DatesProvider>
              <DuplicatesButton onOpenItem={setSelected} />
              <Text size="sm" c="dimmed" data-testid="library-count">{t('count', { count: items.length })}</Text>
            </Group>
            {importJob.running ? <JobProgress progress={importJob.progress} onCancel={importJob.cancel} /> : null}
            {importJob.error ? <Alert color="red">{importJob.error}</Alert> : null}
            {lastImport ? (
              <Alert color={lastImport.errors.length ? 'yellow' : 'teal'} withCloseButton onClose={() => setLastImport(null)} data-testid="import-summary">
                <Text size="sm">{t('summary', { imported: lastImport.imported.length, existing: lastImport.existing.length, errors: lastImport.errors.length })}</Text>
                {lastImport.errors.length ? (
                  <List size="xs" mt={4}>
                    {lastImport.errors.slice(0, 20).map((e) => <List.Item key={e.path}>{fileError(e.path, e.error, e.wording)}</List.Item>)}
                  </List>
                ) : null}
              </Alert>
            ) : null}
            {items.length === 0 ? (
              <Text c="dimmed" ta="center" mt="xl" data-testid="library-empty">{filtered ? t('noMatch') : t('empty')}</Text>
            ) : (
              <div style={{ flex: 1, minHeight: 0 }}>
                <LibraryGrid items={items} selected={selected} onSelect={setSelected} />
              </div>
            )}
          </Stack>
        </Box>
        {selected ? (
          <Box h="100%" w={380} style={{ flexShrink: 0 }}>
            <DetailPanel id={selected} onChanged={() => void refresh()} />
          </Box>
        ) : null}
      </Group>
    </DropArea>
  );
}
