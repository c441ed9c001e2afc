import { Box, Button, Group, ScrollArea, Stack, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImageItem, WatermarkDesign, WatermarkPreset, WatermarkPreviewResult } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';
import { DropArea } from '../../components/DropArea.tsx';
import { useNav } from '../../nav.tsx';
import { defaultDesign, DesignPanel } from './DesignPanel.tsx';
import { defaultExportOptions, ExportDialog, type ExportOptions } from './ExportDialog.tsx';
import { PresetBar } from './PresetBar.tsx';
import { PreviewPane } from './PreviewPane.tsx';
import { SourcesPanel, type SourcesState } from './SourcesPanel.tsx';

/** Settings a designer sets once: kept between sessions on this machine. */
function remembered<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(`proofmark.watermark.${key}`);
    return raw ? { ...fallback, ...(JSON.parse(raw) as T) } : fallback;
  } catch {
    return fallback;
  }
}
function remember(key: string, value: unknown): void {
  localStorage.setItem(`proofmark.watermark.${key}`, JSON.stringify(value));
}

export function WatermarkScreen() {
  const { t } = useTranslation('watermark');
  const nav = useNav();
  const [items, setItems] = useState<ImageItem[]>([]);
  const [sources, setSources] = useState<SourcesState>(() => ({
    mode: 'library',
    selectedIds: nav.params.imageIds ?? [],
    paths: [],
    recursive: true,
    files: [],
  }));
  const [design, setDesign] = useState<WatermarkDesign>(() => remembered('design', defaultDesign));
  const [preset, setPreset] = useState<string | null>(null);
  const [owner, setOwner] = useState<string>(() => localStorage.getItem('proofmark.watermark.owner') ?? '');
  const [options, setOptions] = useState<ExportOptions>(() => remembered('export', defaultExportOptions));
  const [current, setCurrent] = useState<string | null>(null);
  const [preview, setPreview] = useState<WatermarkPreviewResult | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [showBefore, setShowBefore] = useState(false);
  const [exporting, setExporting] = useState(false);
  const seq = useRef(0);

  useEffect(() => {
    void api.call('library.list', {}).then((r) => setItems(r.items), () => setItems([]));
  }, []);
  useEffect(() => remember('design', design), [design]);
  useEffect(() => remember('export', options), [options]);
  useEffect(() => localStorage.setItem('proofmark.watermark.owner', owner), [owner]);

  // Dropped or added files and folders: ask the core which image files they hold.
  useEffect(() => {
    if (!sources.paths.length) return;
    let live = true;
    void api.call('watermark.sources', { paths: sources.paths, recursive: sources.recursive }).then((r) => {
      if (live) setSources((s) => ({ ...s, files: r.files }));
    });
    return () => {
      live = false;
    };
  }, [sources.paths, sources.recursive]);

  /** What the preview can step through: the ticked library images (else all), or the files. */
  const previewList = useMemo(() => {
    if (sources.mode === 'files') return sources.files.map((f) => `file:${f.path}`);
    const ids = sources.selectedIds.length ? sources.selectedIds : items.map((i) => i.id);
    return ids.map((id) => `id:${id}`);
  }, [sources, items]);
  const active = current && previewList.includes(current) ? current : previewList[0] ?? null;

  const render = useCallback(async (key: string, d: WatermarkDesign, who: string, resize: ExportOptions['resize']) => {
    const mine = ++seq.current;
    setBusy(true);
    try {
      const source = key.startsWith('id:') ? { imageId: Number(key.slice(3)) } : { path: key.slice(5) };
      const r = await api.call('watermark.preview', { source, design: d, maxSize: 1400, resize, owner: who });
      if (mine === seq.current) {
        setPreview(r);
        setPreviewError(null);
      }
    } catch (err) {
      if (mine === seq.current) setPreviewError((err as Error).message);
    } finally {
      if (mine === seq.current) setBusy(false);
    }
  }, []);

  // Live preview: re-render shortly after the last change.
  useEffect(() => {
    if (!active) {
      setPreview(null);
      return;
    }
    const timer = setTimeout(() => void render(active, design, owner, options.resize), 150);
    return () => clearTimeout(timer);
  }, [active, design, owner, options.resize, render]);

  const step = (delta: number) => {
    if (!previewList.length) return;
    const i = active ? previewList.indexOf(active) : 0;
    setCurrent(previewList[(i + delta + previewList.length) % previewList.length]!);
  };

  const pickPreset = (p: WatermarkPreset | null) => {
    setPreset(p?.name ?? null);
    if (p) setDesign(p.design);
  };
  const changeDesign = (d: WatermarkDesign) => {
    setPreset(null);
    setDesign(d);
  };

  const count = sources.mode === 'library' ? sources.selectedIds.length : sources.files.length;
  const request = {
    sources: sources.mode === 'library' ? { imageIds: sources.selectedIds, paths: [], recursive: true } : { imageIds: [], paths: sources.paths, recursive: sources.recursive },
    ...(preset ? { preset } : { design }),
    owner,
  };

  return (
    <DropArea testId="watermark-drop" onPaths={(paths) => setSources((s) => ({ ...s, mode: 'files', paths: [...new Set([...s.paths, ...paths])] }))}>
      <Group h="100%" gap="md" align="stretch" wrap="nowrap">
        <Box w={250} h="100%" style={{ flexShrink: 0 }}>
          <Stack h="100%" gap="xs">
            <Title order={5}>{t('sources.title')}</Title>
            <Box style={{ flex: 1, minHeight: 0 }}>
              <SourcesPanel state={sources} onChange={setSources} items={items} current={active} onPreview={setCurrent} />
            </Box>
          </Stack>
        </Box>
        <Box style={{ flex: 1, minWidth: 0 }} h="100%">
          <PreviewPane
            preview={preview}
            error={previewError}
            busy={busy}
            showBefore={showBefore}
            onShowBefore={setShowBefore}
            position={active ? { index: previewList.indexOf(active), total: previewList.length } : null}
            onStep={step}
          />
        </Box>
        <Box w={320} h="100%" style={{ flexShrink: 0 }}>
          <Stack h="100%" gap="xs">
            <Group justify="space-between">
              <Title order={5}>{t('design.title')}</Title>
              <Button onClick={() => setExporting(true)} data-testid="export-open">{t('export.open')}</Button>
            </Group>
            <PresetBar design={design} onPick={pickPreset} />
            <ScrollArea style={{ flex: 1, minHeight: 0 }} offsetScrollbars>
              <DesignPanel design={design} onChange={changeDesign} owner={owner} onOwner={setOwner} />
            </ScrollArea>
          </Stack>
        </Box>
      </Group>
      <ExportDialog opened={exporting} onClose={() => setExporting(false)} options={options} onOptions={setOptions} request={request} count={count} />
    </DropArea>
  );
}
