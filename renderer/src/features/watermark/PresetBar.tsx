import { Alert, Button, Checkbox, Group, Menu, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WatermarkDesign, WatermarkPreset } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';

type Dialog = { kind: 'save' } | { kind: 'export' } | { kind: 'import' } | null;

/** Pick, save, delete, export and import saved designs. */
export function PresetBar({ design, onPick }: { design: WatermarkDesign; onPick: (p: WatermarkPreset | null) => void }) {
  const { t } = useTranslation('watermark');
  const [presets, setPresets] = useState<WatermarkPreset[]>([]);
  const [current, setCurrent] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [name, setName] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [file, setFile] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const refresh = useCallback(async () => setPresets((await api.call('watermark.presets', {})).presets), []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Editing a picked preset makes the design custom again.
  const picked = presets.find((p) => p.name === current);
  const modified = picked && JSON.stringify(picked.design) !== JSON.stringify(design);
  // "Saved as …" does not describe a design edited since: a confirmation shows only while the design is unchanged (an error stays).
  const shown = message && !(message.ok && modified) ? message : null;

  const run = async (work: () => Promise<string>) => {
    try {
      setMessage({ ok: true, text: await work() });
      setDialog(null);
      await refresh();
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    }
  };

  return (
    <Stack gap={6}>
      <Group gap="xs" align="end" wrap="nowrap">
        <Select
          label={t('design.preset')}
          placeholder={t('design.presetNone')}
          data={presets.map((p) => p.name)}
          value={modified ? null : current}
          searchable
          clearable
          style={{ flex: 1 }}
          data-testid="preset-select"
          onChange={(v) => {
            setCurrent(v);
            onPick(presets.find((p) => p.name === v) ?? null);
          }}
        />
        <Menu position="bottom-end">
          <Menu.Target>
            <Button variant="default" data-testid="preset-menu">⋯</Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item data-testid="preset-save" onClick={() => { setName(current ?? ''); setOverwrite(false); setDialog({ kind: 'save' }); }}>{t('design.save')}</Menu.Item>
            <Menu.Item disabled={!current} color="red" onClick={() => void run(async () => {
              await api.call('watermark.deletePreset', { name: current! });
              setCurrent(null);
              return t('design.deleted', { name: current });
            })}>{t('design.delete')}</Menu.Item>
            <Menu.Divider />
            <Menu.Item onClick={() => { setFile(''); setDialog({ kind: 'export' }); }}>{t('design.exportJson')}</Menu.Item>
            <Menu.Item onClick={() => { setFile(''); setDialog({ kind: 'import' }); }}>{t('design.importJson')}</Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Group>
      {shown ? <Alert color={shown.ok ? 'teal' : 'red'} withCloseButton onClose={() => setMessage(null)} p="xs" data-testid="preset-message">{shown.text}</Alert> : null}

      <Modal opened={dialog?.kind === 'save'} onClose={() => setDialog(null)} title={t('design.save')}>
        <Stack>
          <TextInput label={t('design.saveName')} value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="preset-name" data-autofocus />
          <Checkbox label={t('design.overwrite')} checked={overwrite} onChange={(e) => setOverwrite(e.currentTarget.checked)} />
          <Button disabled={!name.trim()} data-testid="preset-save-confirm" onClick={() => void run(async () => {
            const saved = await api.call('watermark.savePreset', { name: name.trim(), design, overwrite });
            setCurrent(saved.name);
            onPick(saved);
            return t('design.saved', { name: saved.name });
          })}>{t('design.save')}</Button>
        </Stack>
      </Modal>
      <Modal opened={dialog?.kind === 'export' || dialog?.kind === 'import'} onClose={() => setDialog(null)} title={dialog?.kind === 'import' ? t('design.importJson') : t('design.exportJson')}>
        <Stack>
          <Group align="end" wrap="nowrap">
            <TextInput label={t('design.jsonPath')} value={file} onChange={(e) => setFile(e.currentTarget.value)} style={{ flex: 1 }} placeholder="/path/presets.json" />
            {api.pick && dialog?.kind === 'import' ? (
              <Button variant="default" onClick={() => void api.pick!('files').then(([f]) => f && setFile(f))}>…</Button>
            ) : null}
          </Group>
          <Button disabled={!file.trim()} onClick={() => void run(async () => {
            if (dialog?.kind === 'import') {
              const r = await api.call('watermark.importPresets', { path: file.trim() });
              return t('design.imported', { names: r.imported.join(', ') || '—' });
            }
            const r = await api.call('watermark.exportPresets', { path: file.trim() });
            return t('design.exported', { count: r.count, path: r.path });
          })}>OK</Button>
        </Stack>
      </Modal>
    </Stack>
  );
}
