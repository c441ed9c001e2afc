import { Alert, Anchor, Badge, Button, Checkbox, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CheckReport, Profile, ProfileEntry } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';
import { DropArea } from '../../components/DropArea.tsx';
import { JobProgress } from '../../components/JobProgress.tsx';
import { useJob } from '../../components/useJob.ts';
import { useNav } from '../../nav.tsx';
import { FixModal } from './FixModal.tsx';
import { LibraryPicker } from './LibraryPicker.tsx';
import { copyOf, ProfileEditor } from './ProfileEditor.tsx';
import { ResultsTable, StatusMark, useReason } from './ResultsTable.tsx';
import { baseName } from '../../components/files.ts';

interface Exported {
  path: string;
  url: string;
  name: string;
}

export function CheckScreen() {
  const { t } = useTranslation('check');
  const { zh, reason, label } = useReason();
  const nav = useNav();
  const [profiles, setProfiles] = useState<ProfileEntry[]>([]);
  const [profileId, setProfileId] = useState('cpcc-photo');
  const [paths, setPaths] = useState<string[]>([]);
  const [imageIds, setImageIds] = useState<number[]>(() => nav.params.imageIds ?? []);
  const [integrity, setIntegrity] = useState(false);
  const [report, setReport] = useState<CheckReport | null>(null);
  const [fixOpen, setFixOpen] = useState(false);
  const [pickerOpen, setPickerOpen] = useState(false);
  const [editing, setEditing] = useState<{ draft: Profile; original: Profile; saved: boolean } | null>(null);
  const [exported, setExported] = useState<Exported | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const job = useJob('check.run');
  const fileInput = useRef<HTMLInputElement>(null);

  const loadProfiles = useCallback(async () => setProfiles((await api.call('check.profiles', {})).profiles), []);
  useEffect(() => {
    void loadProfiles();
  }, [loadProfiles]);

  const { run } = job;
  useEffect(() => {
    if (paths.length === 0 && imageIds.length === 0) return;
    void run({ paths, imageIds, profileId, integrity }).then((r) => r && setReport(r));
  }, [run, paths, imageIds, profileId, integrity]);

  const current = profiles.find((p) => p.profile.id === profileId) ?? null;
  const profileData = useMemo(() => {
    const item = (e: ProfileEntry) => ({ value: e.profile.id, label: zh && e.profile.name.zh ? e.profile.name.zh : e.profile.name.en });
    const groups = [{ group: t('shipped'), items: profiles.filter((p) => p.builtIn).map(item) }];
    const mine = profiles.filter((p) => !p.builtIn).map(item);
    return mine.length ? [...groups, { group: t('yours'), items: mine }] : groups;
  }, [profiles, zh, t]);

  const addPaths = (more: string[]) => setPaths((p) => [...new Set([...p, ...more])]);
  const pick = async (kind: 'files' | 'folder') => {
    if (api.pick) {
      const chosen = await api.pick(kind);
      if (chosen.length) addPaths(chosen);
    } else fileInput.current?.click();
  };

  const exportAs = async (format: 'csv' | 'json') => {
    if (!report) return;
    setExportError(null);
    try {
      const r = await api.call('check.exportReport', { report, format });
      if (exported) URL.revokeObjectURL(exported.url);
      const blob = new Blob([r.content], { type: format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json' });
      setExported({ path: r.path, url: URL.createObjectURL(blob), name: baseName(r.path) || `report.${format}` });
    } catch (err) {
      setExportError((err as Error).message);
    }
  };

  const openEditor = (mode: 'copy' | 'edit') => {
    if (!current) return;
    const draft = mode === 'copy' ? copyOf(current, profiles.map((p) => p.profile.id), t('editor.copyOf', { name: current.profile.name.en })) : structuredClone(current.profile);
    setEditing({ draft, original: structuredClone(current.profile), saved: mode === 'edit' });
  };

  const s = report?.summary;
  // After a profile or integrity change the shown report is the previous run's until the
  // re-check lands: fixing or exporting it then would act on rules no longer selected.
  const stale = !report || job.running || report.profile.id !== profileId || report.integrity !== integrity;
  const hasInput = paths.length + imageIds.length > 0;
  return (
    <DropArea onPaths={addPaths} testId="check-drop">
      <Stack h="100%" gap="sm">
        <Group justify="space-between" align="end" wrap="wrap" gap="sm">
          <Group align="end" gap="xs">
            <Select label={t('profile')} data={profileData} value={profileId} onChange={(v) => v && setProfileId(v)} allowDeselect={false} w={320} data-testid="check-profile" />
            <Button variant="default" onClick={() => openEditor('copy')} data-testid="profile-copy">{t('copyEdit')}</Button>
            {current && !current.builtIn ? <Button variant="subtle" onClick={() => openEditor('edit')}>{t('edit')}</Button> : null}
          </Group>
          <Group gap="xs">
            <Button variant="light" onClick={() => void pick('files')} data-testid="check-add-files">{t('addFiles')}</Button>
            {api.pick ? <Button variant="light" onClick={() => void pick('folder')}>{t('addFolder')}</Button> : null}
            <Button variant="light" onClick={() => setPickerOpen(true)} data-testid="check-from-library">{t('fromLibrary')}</Button>
            <input ref={fileInput} type="file" multiple accept="image/*" hidden onChange={(e) => {
              const files = Array.from(e.currentTarget.files ?? []);
              if (files.length) void api.pathsForFiles(files).then(addPaths);
              e.currentTarget.value = '';
            }} />
          </Group>
        </Group>
        {current ? <Text fz="xs" c="dimmed">{zh && current.profile.description.zh ? current.profile.description.zh : current.profile.description.en}</Text> : null}
        <Group gap="sm">
          <Checkbox size="xs" label={t('integrity')} checked={integrity} onChange={(e) => setIntegrity(e.currentTarget.checked)} />
          {hasInput ? (
            <>
              <Text fz="xs" c="dimmed">{t('inputs', { files: paths.length, images: imageIds.length })}</Text>
              <Button size="compact-xs" variant="subtle" onClick={() => void run({ paths, imageIds, profileId, integrity }).then((r) => r && setReport(r))}>{t('recheck')}</Button>
              <Button size="compact-xs" variant="subtle" color="gray" onClick={() => { setPaths([]); setImageIds([]); setReport(null); }}>{t('clear')}</Button>
            </>
          ) : null}
        </Group>
        {job.running ? <JobProgress progress={job.progress} onCancel={job.cancel} /> : null}
        {job.error ? <Alert color="red" data-testid="check-error">{job.error}</Alert> : null}
        {!report && !job.running ? (
          <Stack align="center" mt="xl" gap="xs">
            <Title order={3}>{t('title')}</Title>
            <Text c="dimmed" ta="center" maw={560} data-testid="check-empty">{t('intro')}</Text>
          </Stack>
        ) : null}
        {report && s ? (
          <>
            <Group justify="space-between" wrap="wrap" gap="xs">
              <Group gap="xs" data-testid="check-summary">
                <StatusMark status={s.verdict} />
                <Text fw={600}>{t('summary', { total: s.total, pass: s.pass, warn: s.warn, fail: s.fail })}</Text>
                {s.fixable ? <Badge variant="light">{t('fixableCount', { count: s.fixable })}</Badge> : null}
              </Group>
              <Group gap="xs">
                <Button onClick={() => setFixOpen(true)} disabled={stale || s.fixable === 0} data-testid="fix-all">{t('fixAll')}</Button>
                <Button variant="default" onClick={() => void exportAs('csv')} disabled={stale} data-testid="export-csv">{t('export.csv')}</Button>
                <Button variant="default" onClick={() => void exportAs('json')} disabled={stale} data-testid="export-json">{t('export.json')}</Button>
              </Group>
            </Group>
            {report.group.filter((g) => g.status !== 'pass').map((g) => (
              <Alert key={g.id} color={g.status === 'fail' ? 'red' : 'yellow'} title={`${t('group')}: ${label(g)}`}>{reason(g)}</Alert>
            ))}
            {exported ? (
              <Alert color="teal" withCloseButton onClose={() => setExported(null)} data-testid="export-done">
                <Group gap="xs">
                  <Text fz="sm">{t('export.saved', { path: exported.path })}</Text>
                  <Anchor fz="sm" href={exported.url} download={exported.name}>{t('export.download')}</Anchor>
                  {api.reveal ? <Anchor fz="sm" onClick={() => void api.reveal?.(exported.path)}>{t('fix.reveal')}</Anchor> : null}
                </Group>
              </Alert>
            ) : null}
            {exportError ? <Alert color="red">{exportError}</Alert> : null}
            <ResultsTable report={report} />
          </>
        ) : null}
      </Stack>
      <LibraryPicker opened={pickerOpen} onClose={() => setPickerOpen(false)} onPick={(ids) => { setImageIds((cur) => [...new Set([...cur, ...ids])]); setPickerOpen(false); }} />
      {fixOpen ? (
        <FixModal opened onClose={() => setFixOpen(false)} profileId={profileId} paths={paths} imageIds={imageIds}
          onCheckOutputs={(p, ids) => { setFixOpen(false); setPaths(p); setImageIds(ids); }} />
      ) : null}
      {editing ? (
        <ProfileEditor draft={editing.draft} original={editing.original} saved={editing.saved} onClose={() => setEditing(null)}
          onSaved={(entry) => { setEditing(null); void loadProfiles().then(() => setProfileId(entry.profile.id)); }}
          onDeleted={() => { setEditing(null); setProfileId('cpcc-photo'); void loadProfiles(); }} />
      ) : null}
    </DropArea>
  );
}
