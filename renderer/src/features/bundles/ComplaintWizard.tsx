import { Alert, Badge, Button, Card, Group, Image, SegmentedControl, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ComplaintCheck, ComplaintSpecData, EvidenceFile, Person, PreviewResult } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';
import { DropArea } from '../../components/DropArea.tsx';
import { JobProgress } from '../../components/JobProgress.tsx';
import { useJob } from '../../components/useJob.ts';
import { PersonModal } from './PeopleManager.tsx';
import { BuildDone, folderName, ImagePicker, IssueList, joinPath, OutputPicker, personFieldLabel, personIssue, PreviewPages, WizardNav, WizardStepper } from './shared.tsx';
import { baseName } from '../../components/files.ts';

type Spec = ComplaintSpecData;
type Use = Spec['uses'][number];
const PLATFORMS = ['alibaba', 'jd', 'pinduoduo', 'amazon', 'other'] as const;

const idOf = (r: Spec['complainant']) => (r && 'personId' in r ? r.personId : null);

/** True when a URL was typed but is not an http(s) web address. */
function urlProblem(v: string): boolean {
  if (!v.trim()) return false;
  try {
    const u = new URL(v.trim());
    return !(u.protocol === 'http:' || u.protocol === 'https:') || !u.hostname.includes('.');
  } catch {
    return true;
  }
}

/** The marketplace a listing URL belongs to, when its address says so. */
function platformOfUrl(v: string): Use['platform'] | null {
  let host: string;
  try {
    host = new URL(v.trim()).hostname.toLowerCase();
  } catch {
    return null;
  }
  const on = (...domains: string[]) => domains.some((d) => host === d || host.endsWith(`.${d}`));
  if (on('taobao.com', 'tmall.com', '1688.com', 'alibaba.com', 'aliexpress.com', 'tb.cn')) return 'alibaba';
  if (on('jd.com', '3.cn')) return 'jd';
  if (on('yangkeduo.com', 'pinduoduo.com', 'pdd.cn')) return 'pinduoduo';
  if (/(^|\.)amazon\.[a-z.]+$/.test(host) || on('amzn.to', 'a.co')) return 'amazon';
  return null;
}

/** True when a date was typed but is not YYYY-MM-DD or lies in the future. */
function dateProblem(v: string): boolean {
  if (!v.trim()) return false;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) return true;
  return v > new Date().toISOString().slice(0, 10);
}

/** Choose files: the native picker in the app, a file input in the browser. */
function useFilePicker(onPaths: (paths: string[]) => void) {
  const input = useRef<HTMLInputElement>(null);
  const open = () => (api.pick ? void api.pick('files').then((p) => p.length && onPaths(p)) : input.current?.click());
  const element = (
    <input ref={input} type="file" multiple accept="image/*" hidden onChange={(e) => {
      const files = Array.from(e.currentTarget.files ?? []);
      if (files.length) void api.pathsForFiles(files).then(onPaths);
      e.currentTarget.value = '';
    }} />
  );
  return { open, element };
}

/** One infringing use: where it is, who sells it, the suspect file and the screenshots (hashed on arrival). */
function UseCard({ use, n, onChange, onRemove, evidence, onEvidence, suspects, onSuspects }: {
  use: Use; n: number; onChange: (u: Use) => void; onRemove: () => void; evidence: Map<string, EvidenceFile>; onEvidence: (f: EvidenceFile[]) => void;
  suspects: string[]; onSuspects: (paths: string[]) => void;
}) {
  const { t } = useTranslation('bundles');
  const suspectPicker = useFilePicker((p) => {
    onSuspects(p);
    if (p[0]) onChange({ ...use, suspectPath: p[0] });
  });
  const [error, setError] = useState<string | null>(null);
  const set = <K extends keyof Use>(k: K, v: Use[K]) => onChange({ ...use, [k]: v });
  const addShots = async (paths: string[]) => {
    setError(null);
    const r = await api.call('bundles.complaint.addEvidence', { paths });
    onEvidence(r.files);
    if (r.errors.length) setError(r.errors.map((e) => e.error).join('\n'));
    onChange({ ...use, screenshots: [...use.screenshots, ...r.files.map((f) => ({ path: f.path, sha256: f.sha256 }))] });
  };
  const picker = useFilePicker((p) => void addShots(p));
  return (
    <DropArea onPaths={(p) => void addShots(p)}>
      <Card withBorder padding="sm" data-testid="use-card">
        <Group justify="space-between" mb="xs">
          <Text fw={600}>{t('comp.use', { n })}</Text>
          <Button size="compact-xs" variant="subtle" color="red" onClick={onRemove}>{t('comp.removeUse')}</Button>
        </Group>
        <SimpleGrid cols={3} spacing="xs">
          <Select label={t('comp.platform')} value={use.platform} allowDeselect={false} data={PLATFORMS.map((p) => ({ value: p, label: t(`comp.platforms.${p}`) }))} onChange={(v) => v && set('platform', v as Use['platform'])} data-testid="use-platform" />
          {use.platform === 'other' ? <TextInput label={t('comp.platformName')} value={use.platformName} onChange={(e) => set('platformName', e.currentTarget.value)} /> : <div />}
          <TextInput label={t('comp.foundOn')} placeholder="YYYY-MM-DD" value={use.foundOn} onChange={(e) => set('foundOn', e.currentTarget.value)} error={dateProblem(use.foundOn) ? t('comp.badDate') : undefined} data-testid="use-found" />
          <TextInput label={t('comp.listingUrl')} placeholder="https://" value={use.listingUrl} onChange={(e) => { const v = e.currentTarget.value; onChange({ ...use, listingUrl: v, platform: platformOfUrl(v) ?? use.platform }); }} error={urlProblem(use.listingUrl) ? t('comp.badUrl') : undefined} data-testid="use-listing" />
          <TextInput label={t('comp.imageUrl')} placeholder="https://" value={use.imageUrl} onChange={(e) => set('imageUrl', e.currentTarget.value)} error={urlProblem(use.imageUrl) ? t('comp.badUrl') : undefined} data-testid="use-image-url" />
          <TextInput label={t('comp.shop')} value={use.shop} onChange={(e) => set('shop', e.currentTarget.value)} data-testid="use-shop" />
          <TextInput label={t('comp.itemId')} value={use.itemId} onChange={(e) => set('itemId', e.currentTarget.value)} />
          <Textarea label={t('comp.reason')} value={use.reason} autosize minRows={1} onChange={(e) => set('reason', e.currentTarget.value)} style={{ gridColumn: 'span 2' }} />
        </SimpleGrid>
        <Group gap="xs" mt="xs" align="end">
          <Select label={t('comp.suspect')} w={420} value={use.suspectPath || null} placeholder={t('comp.chooseSuspect')} data-testid="use-suspect"
            data={[...new Set([...suspects, ...(use.suspectPath ? [use.suspectPath] : [])])].map((p) => ({ value: p, label: baseName(p) }))}
            onChange={(v) => set('suspectPath', v ?? '')} />
          <Button size="xs" variant="light" onClick={suspectPicker.open}>{t('comp.addSuspects')}</Button>
          {suspectPicker.element}
        </Group>
        <Stack gap={2} mt="xs">
          <Group gap="xs">
            <Text fz="sm" fw={500}>{t('comp.screenshots')}</Text>
            <Button size="compact-xs" variant="light" onClick={picker.open} data-testid="use-add-shots">{t('comp.addScreenshots')}</Button>
            {picker.element}
          </Group>
          {use.screenshots.map((s, i) => {
            const e = evidence.get(s.path);
            return (
              <Group key={s.path} gap="xs">
                <Badge variant="light" size="sm">{i + 1}</Badge>
                <Text fz="xs" fw={500}>{baseName(e?.originalPath ?? s.path)}</Text>
                <Text fz="xs" c="dimmed">{e ? t('comp.hashed', { sha: `${e.sha256.slice(0, 16)}…`, time: e.capturedAt.replace('T', ' ').slice(0, 19), source: t(`comp.sources.${e.capturedAtSource}`) }) : baseName(s.path)}</Text>
                <Button size="compact-xs" variant="subtle" onClick={() => set('screenshots', use.screenshots.filter((_x, j) => j !== i))}>{t('comp.removeUse')}</Button>
              </Group>
            );
          })}
          {error ? <Alert color="red" style={{ whiteSpace: 'pre-line' }}>{error}</Alert> : null}
        </Stack>
      </Card>
    </DropArea>
  );
}

/** Step by step: original and suspects → uses → complainant and work → check → preview and build. */
export function ComplaintWizard({ people, reloadPeople, initial, onBuilt }: { people: Person[]; reloadPeople: () => Promise<void>; initial: { originalId?: number | undefined; suspectPath?: string | undefined }; onBuilt: () => void }) {
  const { t } = useTranslation('bundles');
  const [step, setStep] = useState(0);
  const [originalId, setOriginalId] = useState<number[]>(initial.originalId ? [initial.originalId] : []);
  const [suspects, setSuspects] = useState<string[]>(initial.suspectPath ? [initial.suspectPath] : []);
  const [spec, setSpec] = useState<Spec | null>(null);
  const [evidence, setEvidence] = useState(new Map<string, EvidenceFile>());
  const [check, setCheck] = useState<ComplaintCheck | null>(null);
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [parent, setParent] = useState('');
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Person | null>(null);
  const previewJob = useJob('bundles.preview');
  const title = spec?.work.title ?? '';
  useEffect(() => {
    if (!nameTouched && title) setName(folderName(title, t('list.kinds.complaint')));
  }, [title, nameTouched, t]);
  const buildJob = useJob('bundles.complaint.build');
  const suspectPicker = useFilePicker((p) => setSuspects((s) => [...new Set([...s, ...p])]));

  useEffect(() => {
    if (initial.originalId) setOriginalId([initial.originalId]);
    if (initial.suspectPath) setSuspects([initial.suspectPath]);
  }, [initial.originalId, initial.suspectPath]);
  // Arriving from Find with the original and the suspect: straight to the infringing use.
  const arrived = useRef('');
  useEffect(() => {
    const key = `${initial.originalId ?? ''}|${initial.suspectPath ?? ''}`;
    if (!initial.originalId || !initial.suspectPath || arrived.current === key) return;
    arrived.current = key;
    setError(null);
    api.call('bundles.complaint.prefill', { originalId: initial.originalId, suspectPaths: [initial.suspectPath] })
      .then((r) => {
        setSpec(r.spec.uses.length ? r.spec : { ...r.spec, uses: [blankUse(initial.suspectPath ?? '')] });
        setCheck(null);
        setPreview(null);
        setStep(1);
      })
      .catch((err: Error) => setError(err.message));
  }, [initial.originalId, initial.suspectPath]);

  const update = (fn: (s: Spec) => Spec) => {
    setSpec((s) => (s ? fn(s) : s));
    setCheck(null);
    setPreview(null);
  };
  const start = async () => {
    setError(null);
    if (spec && spec.originalId === originalId[0]) {
      // Coming back to add suspects keeps everything typed so far: each new suspect gets its own use.
      const used = new Set(spec.uses.map((u) => u.suspectPath));
      const added = suspects.filter((p) => !used.has(p));
      if (added.length) update((s) => ({ ...s, uses: [...s.uses.filter((u) => u.suspectPath || u.listingUrl || u.shop), ...added.map((p) => blankUse(p))] }));
      return setStep(1);
    }
    try {
      const r = await api.call('bundles.complaint.prefill', { originalId: originalId[0]!, suspectPaths: suspects });
      const spec = r.spec.uses.length ? r.spec : { ...r.spec, uses: [blankUse('')] };
      setSpec(spec);
      setCheck(null);
      setPreview(null);
      setStep(1);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    if (step !== 3 || !spec || check) return;
    void api.call('bundles.complaint.validate', { spec }).then(setCheck).catch((err: Error) => setError(err.message));
  }, [step, spec, check]);

  const stepper = <WizardStepper labels={['original', 'uses', 'claimant', 'check', 'build'].map((k) => t(`steps.${k}`))} step={step} onStep={setStep} started={Boolean(spec)} />;

  if (!spec || step === 0) {
    return (
      <DropArea onPaths={(p) => setSuspects((s) => [...new Set([...s, ...p])])}>
        <Stack gap="md" data-testid="comp-wizard">
          {stepper}
          {initial.originalId ? <Badge variant="light">{t('comp.fromFind', { id: initial.originalId })}</Badge> : null}
          <Text fw={600}>{t('comp.original')}</Text>
          <ImagePicker chosen={originalId} onChange={setOriginalId} single />
          <Group gap="xs">
            <Text fw={600}>{t('comp.suspects')}</Text>
            <Button size="xs" variant="light" onClick={suspectPicker.open} data-testid="comp-add-suspects">{t('comp.addSuspects')}</Button>
            {suspectPicker.element}
            <Text fz="xs" c="dimmed">{t('comp.dropHint')}</Text>
          </Group>
          {suspects.map((s) => (
            <Group key={s} gap="xs">
              <Text fz="xs" ff="monospace" data-testid="comp-suspect">{s}</Text>
              <Button size="compact-xs" variant="subtle" onClick={() => setSuspects((all) => all.filter((x) => x !== s))}>{t('comp.removeUse')}</Button>
            </Group>
          ))}
          {error ? <Alert color="red">{error}</Alert> : null}
          <Group justify="flex-end"><Button disabled={originalId.length === 0} onClick={() => void start()} data-testid="comp-start">{t('nav.next')}</Button></Group>
        </Stack>
      </DropArea>
    );
  }

  /** The field an issue concerns, named as in the form. */
  const fieldLabel = (path: string): string | null => {
    const [head, second, third] = path.split('.');
    const pi = personIssue(path);
    if (pi && (pi.role === 'complainant' || pi.role === 'agent')) return personFieldLabel(t, pi.role === 'complainant' ? t('comp.complainant') : t('comp.agent'), pi);
    if (head === 'uses' && second !== undefined && /^\d+$/.test(second)) {
      const use = t('comp.use', { n: Number(second) + 1 });
      const keys: Record<string, string> = { suspectPath: 'suspect', screenshots: 'screenshots', listingUrl: 'listingUrl', imageUrl: 'imageUrl', shop: 'shop', foundOn: 'foundOn', itemId: 'itemId', platformName: 'platformName', platform: 'platform', reason: 'reason' };
      return third && keys[third] ? `${use}: ${t(`comp.${keys[third]}`)}` : use;
    }
    const labels: Record<string, string> = {
      originalId: t('comp.original'), uses: t('steps.uses'), complainant: t('comp.complainant'), agent: t('comp.agent'), 'work.title': t('comp.workTitle'),
      'work.registrationNumber': t('comp.regNumber'), 'work.dciNumber': t('comp.dci'), 'work.licence': t('comp.licence'), 'work.description': t('comp.workDescription'),
      'signature.name': t('comp.signer'), 'signature.date': t('comp.signDate'),
    };
    return labels[path] ?? labels[head ?? ''] ?? null;
  };
  const stepOfPath = (path: string) => (path === 'originalId' ? 0 : path.startsWith('uses') ? 1 : 2);
  /** A missing detail of a saved person opens that person's profile; anything else goes to its step. */
  const goToIssue = (path: string) => {
    const pi = personIssue(path);
    const ref = pi?.role === 'complainant' ? spec.complainant : pi?.role === 'agent' ? spec.agent : null;
    const saved = ref && 'personId' in ref ? people.find((p) => p.id === ref.personId) : undefined;
    if (saved) setEditing(saved);
    else setStep(stepOfPath(path));
  };

  const personOptions = people.map((p) => ({ value: String(p.id), label: p.name }));
  const outDir = parent && name ? joinPath(parent, name) : '';
  const ready = check !== null && check.ok;
  const setWork = <K extends keyof Spec['work']>(k: K, v: Spec['work'][K]) => update((s) => ({ ...s, work: { ...s.work, [k]: v } }));

  return (
    <Stack gap="md" data-testid="comp-wizard">
      {stepper}
      {step === 1 ? (
        <Stack gap="sm">
          <Group gap="sm">
            <Image src={api.mediaUrl('thumb', spec.originalId)} h={72} w={96} fit="contain" radius="sm" alt="" />
            <Stack gap={0}>
              <Text fz="xs" c="dimmed">{t('comp.original')}</Text>
              <Text fw={600}>#{spec.originalId} {spec.work.title}</Text>
            </Stack>
          </Group>
          {spec.uses.map((u, i) => (
            <UseCard key={i} use={u} n={i + 1} evidence={evidence} suspects={suspects} onSuspects={(p) => setSuspects((all) => [...new Set([...all, ...p])])}
              onEvidence={(files) => setEvidence((m) => new Map([...m, ...files.map((f) => [f.path, f] as const)]))}
              onChange={(nu) => update((s) => ({ ...s, uses: s.uses.map((x, j) => (j === i ? nu : x)) }))}
              onRemove={() => update((s) => ({ ...s, uses: s.uses.filter((_x, j) => j !== i) }))} />
          ))}
          <Group><Button variant="light" onClick={() => update((s) => ({ ...s, uses: [...s.uses, blankUse(s.uses[0]?.suspectPath ?? '')] }))}>{t('comp.addUse')}</Button></Group>
        </Stack>
      ) : null}

      {step === 2 ? (
        <Stack gap="sm">
          <Group gap="xs" align="end">
            <Select label={t('comp.complainant')} data={personOptions} value={idOf(spec.complainant)?.toString() ?? null} w={320} onChange={(v) => update((s) => ({ ...s, complainant: v ? { personId: Number(v) } : null }))} data-testid="comp-complainant" />
            <Select label={t('comp.agent')} data={personOptions} value={idOf(spec.agent)?.toString() ?? null} w={260} clearable onChange={(v) => update((s) => ({ ...s, agent: v ? { personId: Number(v) } : null }))} />
            <Stack gap={2}>
              <Text fz="sm" fw={500}>{t('comp.language')}</Text>
              <SegmentedControl value={spec.language} data={[{ value: 'zh', label: '中文' }, { value: 'en', label: 'English' }]} onChange={(v) => update((s) => ({ ...s, language: v as Spec['language'] }))} />
            </Stack>
          </Group>
          <SimpleGrid cols={3} spacing="xs">
            <TextInput label={t('comp.workTitle')} value={spec.work.title} onChange={(e) => setWork('title', e.currentTarget.value)} />
            <TextInput label={t('comp.regNumber')} value={spec.work.registrationNumber} onChange={(e) => setWork('registrationNumber', e.currentTarget.value)} />
            <TextInput label={t('comp.dci')} value={spec.work.dciNumber} onChange={(e) => setWork('dciNumber', e.currentTarget.value)} />
            <TextInput label={t('comp.licence')} value={spec.work.licence} onChange={(e) => setWork('licence', e.currentTarget.value)} />
            <TextInput label={t('comp.workDescription')} value={spec.work.description} onChange={(e) => setWork('description', e.currentTarget.value)} style={{ gridColumn: 'span 2' }} />
            <TextInput label={t('comp.signer')} value={spec.signature.name} onChange={(e) => { const v = e.currentTarget.value; update((s) => ({ ...s, signature: { ...s.signature, name: v } })); }} data-testid="comp-signer" />
            <TextInput label={t('comp.signDate')} placeholder="YYYY-MM-DD" value={spec.signature.date} onChange={(e) => { const v = e.currentTarget.value; update((s) => ({ ...s, signature: { ...s.signature, date: v } })); }} />
          </SimpleGrid>
        </Stack>
      ) : null}

      {step === 3 ? (
        <Stack gap="sm" data-testid="comp-check">
          {!check ? <Text c="dimmed">…</Text> : check.ok ? <Alert color="teal">{t('reg.ready')}</Alert> : <IssueList issues={[...check.missing].sort((a, b) => stepOfPath(a.path) - stepOfPath(b.path))} title={t('reg.missing', { count: check.missing.length })} label={fieldLabel} onGo={goToIssue} />}
        </Stack>
      ) : null}

      {step === 4 ? (
        <Stack gap="sm">
          <OutputPicker parent={parent} onParent={setParent} name={name} onName={(v) => { setName(v); setNameTouched(true); }} />
          <Group gap="xs">
            <Button variant="default" loading={previewJob.running} onClick={() => void previewJob.run({ kind: 'complaint', spec }).then((r) => r && setPreview(r))} data-testid="comp-preview">{t('build.preview')}</Button>
            <Button disabled={!ready || !outDir || buildJob.running} onClick={() => void buildJob.run({ spec, outDir }).then((r) => r && onBuilt())} data-testid="comp-build">{t('build.build')}</Button>
          </Group>
          {previewJob.running ? <JobProgress progress={previewJob.progress} /> : null}
          {buildJob.running ? <JobProgress progress={buildJob.progress} onCancel={buildJob.cancel} /> : null}
          {previewJob.error ? <Alert color="red">{previewJob.error}</Alert> : null}
          {buildJob.error ? <Alert color="red" data-testid="build-error">{buildJob.error}</Alert> : null}
          {buildJob.result ? (
            <BuildDone result={buildJob.result} onVerify={() => void api.call('bundles.verify', { path: buildJob.result!.zip }).then(() => onBuilt())} onAnother={() => { setSpec(null); setStep(0); setPreview(null); setCheck(null); }} />
          ) : null}
          {preview ? <PreviewPages preview={preview} /> : null}
        </Stack>
      ) : null}

      {error ? <Alert color="red">{error}</Alert> : null}
      {editing ? (
        <PersonModal key={editing.id} person={editing} opened onClose={() => setEditing(null)} onSaved={() => {
          setEditing(null);
          setCheck(null);
          void reloadPeople();
        }} />
      ) : null}
      <WizardNav step={step} last={4} onStep={setStep} nextTestId="comp-next" />
    </Stack>
  );
}

function blankUse(suspectPath: string): Use {
  return { platform: 'alibaba', platformName: '', listingUrl: '', imageUrl: '', shop: '', foundOn: new Date().toISOString().slice(0, 10), itemId: '', reason: '', screenshots: [], suspectPath };
}
