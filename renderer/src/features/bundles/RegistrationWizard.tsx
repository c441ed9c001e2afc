import { Alert, Badge, Button, Checkbox, Group, List, MultiSelect, Select, SimpleGrid, Stack, Switch, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Person, PreviewResult, RegistrationCheck, RegistrationSpecData } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';
import { JobProgress } from '../../components/JobProgress.tsx';
import { useJob } from '../../components/useJob.ts';
import { PersonModal } from './PeopleManager.tsx';
import { BuildDone, folderName, ImagePicker, IssueList, joinPath, OutputPicker, personFieldLabel, personIssue, PreviewPages, WizardNav, WizardStepper } from './shared.tsx';

type Spec = RegistrationSpecData;
type Ref = Spec['owners'][number];
type Texts = Spec['description']['zh'];

const SECTIONS: (keyof Texts)[] = ['purpose', 'process', 'equipment', 'originality', 'aesthetics', 'publication', 'thirdParty'];
const RIGHTS = ['publication', 'attribution', 'alteration', 'integrity', 'reproduction', 'distribution', 'rental', 'exhibition', 'performance', 'projection', 'broadcasting', 'network', 'cinematography', 'adaptation', 'translation', 'compilation', 'other'] as const;

/** The wizard step where the field at `path` is entered. */
function stepOfPath(path: string): number {
  if (path === 'images') return 0;
  if (/^(owners|authors|agent|counterparty|work\.ownershipMode)/.test(path)) return 1;
  if (path.startsWith('description')) return 3;
  return 2;
}

const idOf = (r: Ref | null) => (r && 'personId' in r ? r.personId : null);

/** Step by step: images → people → work → description → check → preview and build. */
export function RegistrationWizard({ people, reloadPeople, initialImages, onBuilt }: { people: Person[]; reloadPeople: () => Promise<void>; initialImages: number[]; onBuilt: () => void }) {
  const { t, i18n } = useTranslation('bundles');
  const zh = i18n.language.startsWith('zh');
  const [step, setStep] = useState(0);
  const [imageIds, setImageIds] = useState<number[]>(initialImages);
  const [spec, setSpec] = useState<Spec | null>(null);
  const [sources, setSources] = useState<Record<string, string>>({});
  const [check, setCheck] = useState<RegistrationCheck | null>(null);
  const [fix, setFix] = useState(true);
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [parent, setParent] = useState('');
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [adding, setAdding] = useState<'owner' | 'author' | 'agent' | null>(null);
  const [editing, setEditing] = useState<Person | null>(null);
  const [error, setError] = useState<string | null>(null);
  const previewJob = useJob('bundles.preview');
  const title = spec?.work.title ?? '';
  useEffect(() => {
    if (!nameTouched && title) setName(folderName(title, t('list.kinds.registration')));
  }, [title, nameTouched, t]);
  const buildJob = useJob('bundles.registration.build');

  useEffect(() => setImageIds(initialImages), [initialImages]);

  const start = async () => {
    setError(null);
    const same = spec && spec.images.length === imageIds.length && spec.images.every((im, i) => im.imageId === imageIds[i]);
    if (same) return setStep(1);
    try {
      const r = await api.call('bundles.registration.prefill', { imageIds });
      // Coming back to change the images keeps everything typed so far; only the image list is new.
      setSpec((old) => (old ? { ...old, images: r.spec.images } : r.spec));
      if (!spec) setSources(r.sources);
      setCheck(null);
      setPreview(null);
      setStep(1);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const update = (fn: (s: Spec) => Spec) => {
    setSpec((s) => (s ? fn(s) : s));
    setCheck(null);
    setPreview(null);
  };
  const setWork = <K extends keyof Spec['work']>(k: K, v: Spec['work'][K]) => update((s) => ({ ...s, work: { ...s.work, [k]: v } }));
  /** A new title is carried into the description texts, so the title stays the same everywhere. */
  const setTitle = (title: string) => update((s) => {
    const swap = (text: string) => text.replaceAll(`《${s.work.title}》`, `《${title}》`).replaceAll(`"${s.work.title}"`, `"${title}"`);
    const d = (x: Texts) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, swap(v)])) as Texts;
    return { ...s, work: { ...s.work, title }, description: { zh: d(s.description.zh), en: d(s.description.en) } };
  });

  useEffect(() => {
    if (step !== 4 || !spec || check) return;
    void api.call('bundles.registration.validate', { spec }).then(setCheck).catch((err: Error) => setError(err.message));
  }, [step, spec, check]);

  /** The field an issue or a prefilled value concerns, named as in the form. */
  const fieldLabel = (path: string): string | null => {
    const [head, second, third] = path.split('.');
    const pi = personIssue(path);
    const roleLabels: Record<string, string> = { owners: t('reg.owners'), authors: t('reg.authors'), agent: t('reg.agent'), counterparty: t('reg.counterparty') };
    if (pi && roleLabels[pi.role]) return personFieldLabel(t, roleLabels[pi.role]!, pi);
    if (head === 'description' && (second === 'zh' || second === 'en') && third) return `${second === 'zh' ? t('reg.descZh') : t('reg.descEn')}: ${t(`reg.sections.${third}`)}`;
    if (head === 'description') return t('steps.description');
    if (head === 'images' && second !== undefined && /^\d+$/.test(second)) return t('reg.imageTitle', { n: Number(second) + 1 });
    if (head === 'signing') return second === 'date' ? t('reg.signingDate') : t('reg.signingPlace');
    const labels: Record<string, string> = {
      images: t('steps.images'), owners: t('reg.owners'), authors: t('reg.authors'), agent: t('reg.agent'), counterparty: t('reg.counterparty'),
      'work.title': t('reg.title'), 'work.category': t('reg.category'), 'work.nature': t('reg.nature'), 'work.natureNote': t('reg.natureNote'),
      'work.startedOn': t('reg.startedOn'), 'work.completedOn': t('reg.completedOn'), 'work.completedCountry': t('reg.country'),
      'work.completedProvince': t('reg.province'), 'work.completedCity': t('reg.city'), 'work.publication.date': t('reg.publishedOn'),
      'work.publication.place': t('reg.publishedPlace'), 'work.publication.url': t('reg.publishedUrl'), 'work.publication': t('reg.published'),
      'work.rightsObtained': t('reg.rightsObtained'), 'work.ownershipMode': t('reg.ownershipMode'), 'work.rightsScope': t('reg.rightsScope'), 'work.rightsHeld': t('reg.rightsHeld'),
    };
    return labels[path] ?? labels[path.split('.').slice(0, 2).join('.')] ?? labels[head ?? ''] ?? null;
  };

  /** A missing detail of a saved person opens that person's profile; anything else goes to its step. */
  const goToIssue = (path: string) => {
    const pi = personIssue(path);
    if (pi && spec) {
      const ref = pi.role === 'owners' ? spec.owners[pi.index ?? 0] : pi.role === 'authors' ? spec.authors[pi.index ?? 0]?.person : pi.role === 'agent' ? spec.agent : spec.counterparty;
      const saved = ref && 'personId' in ref ? people.find((p) => p.id === ref.personId) : undefined;
      if (saved) return setEditing(saved);
    }
    setStep(stepOfPath(path));
  };

  const personOptions = people.map((p) => ({ value: String(p.id), label: `${p.name}${p.roles.length ? ` (${p.roles.map((r) => t(`people.roleNames.${r}`)).join(', ')})` : ''}` }));
  const outDir = parent && name ? joinPath(parent, name) : '';

  const stepper = <WizardStepper labels={['images', 'people', 'work', 'description', 'check', 'build'].map((k) => t(`steps.${k}`))} step={step} onStep={setStep} started={Boolean(spec)} />;

  if (!spec || step === 0) {
    return (
      <Stack gap="md" data-testid="reg-wizard">
        {stepper}
        <Text fz="sm">{t('reg.pick')}</Text>
        <ImagePicker chosen={imageIds} onChange={setImageIds} />
        {error ? <Alert color="red">{error}</Alert> : null}
        <Group justify="flex-end"><Button disabled={imageIds.length === 0} onClick={() => void start()} data-testid="reg-prefill">{spec ? t('nav.next') : t('reg.prefill')}</Button></Group>
      </Stack>
    );
  }

  const inline = (refs: Ref[]) => refs.filter((r) => !('personId' in r)) as Exclude<Ref, { personId: number }>[];
  const saveInline = async (r: Exclude<Ref, { personId: number }>, role: 'owner' | 'author') => {
    const saved = await api.call('bundles.people.save', { name: r.name, kind: r.kind, roles: [role] });
    await reloadPeople();
    update((s) => ({
      ...s,
      owners: s.owners.map((o) => (o === r ? { personId: saved.id } : o)),
      authors: s.authors.map((a) => (a.person === r ? { ...a, person: { personId: saved.id } } : a)),
    }));
  };

  const w = spec.work;
  const descLangs: ('zh' | 'en')[] = spec.english ? ['zh', 'en'] : ['zh'];
  const failing = check?.samples.filter((s) => s.verdict === 'fail') ?? [];
  const canFix = failing.every((s) => s.fixable);
  const readyToBuild = check !== null && check.missing.length === 0 && (failing.length === 0 || (fix && canFix));

  return (
    <Stack gap="md" data-testid="reg-wizard">
      {stepper}
      {Object.keys(sources).length && step === 1 ? (
        <Alert color="gray" variant="light" p="xs" title={t('reg.prefilledTitle')}>
          <List size="xs" spacing={0}>
            {Object.entries(sources).map(([k, v]) => <List.Item key={k}><Text span fz="xs" fw={600}>{fieldLabel(k) ?? k}</Text><Text span fz="xs"> ← {v}</Text></List.Item>)}
          </List>
        </Alert>
      ) : null}

      {step === 1 ? (
        <Stack gap="sm">
          <Group align="end" gap="xs">
            <MultiSelect label={t('reg.owners')} data={personOptions} value={spec.owners.map(idOf).filter((x): x is number => x !== null).map(String)} w={420} data-testid="reg-owners"
              onChange={(v) => update((s) => ({ ...s, owners: [...v.map((id) => ({ personId: Number(id) })), ...inline(s.owners)] }))} />
            <Button variant="light" onClick={() => setAdding('owner')} data-testid="reg-add-owner">{t('people.add')}</Button>
          </Group>
          <Group align="end" gap="xs">
            <MultiSelect label={t('reg.authors')} data={personOptions} value={spec.authors.map((a) => idOf(a.person)).filter((x): x is number => x !== null).map(String)} w={420} data-testid="reg-authors"
              onChange={(v) => update((s) => ({
                ...s,
                authors: [...v.map((id) => s.authors.find((a) => idOf(a.person) === Number(id)) ?? { person: { personId: Number(id) }, creditedName: people.find((p) => p.id === Number(id))?.name ?? '' }), ...s.authors.filter((a) => idOf(a.person) === null)],
              }))} />
            <Button variant="light" onClick={() => setAdding('author')}>{t('people.add')}</Button>
          </Group>
          {[...inline(spec.owners).map((r) => ({ r, role: 'owner' as const })), ...inline(spec.authors.map((a) => a.person)).map((r) => ({ r, role: 'author' as const }))].map(({ r, role }) => (
            <Group key={`${role}-${r.name}`} gap="xs">
              <Badge variant="outline">{t(`people.roleNames.${role}`)}: {r.name} ({t('people.notSaved')})</Badge>
              <Button size="compact-xs" variant="subtle" onClick={() => void saveInline(r, role)}>{t('people.saveProfile')}</Button>
            </Group>
          ))}
          <SimpleGrid cols={3} spacing="xs">
            {spec.authors.map((a, i) => (
              <TextInput key={i} label={t('reg.creditedName', { name: 'personId' in a.person ? people.find((p) => p.id === idOf(a.person))?.name ?? '' : a.person.name })} value={a.creditedName}
                onChange={(e) => { const v = e.currentTarget.value; update((s) => ({ ...s, authors: s.authors.map((x, j) => (j === i ? { ...x, creditedName: v } : x)) })); }} />
            ))}
          </SimpleGrid>
          <Group gap="xs" align="end">
            <Select label={t('reg.ownershipMode')} value={w.ownershipMode} allowDeselect={false} w={220} data-testid="reg-ownership"
              data={(['individual', 'joint', 'legal-person', 'work-for-hire', 'commissioned'] as const).map((m) => ({ value: m, label: t(`reg.modes.${m}`) }))}
              onChange={(v) => v && setWork('ownershipMode', v as Spec['work']['ownershipMode'])} />
            {w.ownershipMode === 'commissioned' || w.ownershipMode === 'work-for-hire' ? (
              <Select label={t('reg.counterparty')} data={personOptions} value={idOf(spec.counterparty)?.toString() ?? null} w={320} clearable
                onChange={(v) => update((s) => ({ ...s, counterparty: v ? { personId: Number(v) } : null }))} />
            ) : null}
            <Select label={t('reg.agent')} data={personOptions} value={idOf(spec.agent)?.toString() ?? null} placeholder={t('reg.noAgent')} w={260} clearable
              onChange={(v) => update((s) => ({ ...s, agent: v ? { personId: Number(v) } : null }))} />
            <Button variant="subtle" onClick={() => setAdding('agent')}>{t('people.add')}</Button>
          </Group>
        </Stack>
      ) : null}

      {step === 2 ? (
        <Stack gap="sm">
          <TextInput label={t('reg.title')} description={t('reg.titleHint')} value={w.title} onChange={(e) => setTitle(e.currentTarget.value)} w={480} data-testid="reg-title" />
          {spec.images.length > 1 ? (
            <SimpleGrid cols={3} spacing="xs">
              {spec.images.map((im, i) => (
                <TextInput key={im.imageId} label={t('reg.imageTitle', { n: i + 1 })} value={im.title}
                  onChange={(e) => { const v = e.currentTarget.value; update((s) => ({ ...s, images: s.images.map((x, j) => (j === i ? { ...x, title: v } : x)) })); }} />
              ))}
            </SimpleGrid>
          ) : null}
          <SimpleGrid cols={4} spacing="xs">
            <Select label={t('reg.category')} value={w.category} allowDeselect={false} data={(['photographic', 'fine-art'] as const).map((c) => ({ value: c, label: t(`reg.categories.${c}`) }))} onChange={(v) => v && setWork('category', v as Spec['work']['category'])} />
            <Select label={t('reg.nature')} value={w.nature} allowDeselect={false} data={(['original', 'adaptation', 'translation', 'annotation', 'compilation', 'other'] as const).map((n) => ({ value: n, label: t(`reg.natures.${n}`) }))} onChange={(v) => v && setWork('nature', v as Spec['work']['nature'])} />
            <TextInput label={t('reg.startedOn')} placeholder="YYYY-MM-DD" value={w.startedOn} onChange={(e) => setWork('startedOn', e.currentTarget.value)} />
            <TextInput label={t('reg.completedOn')} placeholder="YYYY-MM-DD" value={w.completedOn} onChange={(e) => setWork('completedOn', e.currentTarget.value)} data-testid="reg-completed" />
            {w.nature !== 'original' ? <TextInput label={t('reg.natureNote')} value={w.natureNote} onChange={(e) => setWork('natureNote', e.currentTarget.value)} /> : null}
            <TextInput label={t('reg.country')} value={w.completedCountry} onChange={(e) => setWork('completedCountry', e.currentTarget.value)} data-testid="reg-country" />
            <TextInput label={t('reg.province')} value={w.completedProvince} onChange={(e) => setWork('completedProvince', e.currentTarget.value)} />
            <TextInput label={t('reg.city')} value={w.completedCity} onChange={(e) => setWork('completedCity', e.currentTarget.value)} data-testid="reg-city" />
          </SimpleGrid>
          <Switch label={t('reg.published')} checked={w.publication.status === 'published'} onChange={(e) => setWork('publication', { ...w.publication, status: e.currentTarget.checked ? 'published' : 'unpublished' })} />
          {w.publication.status === 'published' ? (
            <SimpleGrid cols={3} spacing="xs">
              <TextInput label={t('reg.publishedOn')} placeholder="YYYY-MM-DD" value={w.publication.date} onChange={(e) => setWork('publication', { ...w.publication, date: e.currentTarget.value })} />
              <TextInput label={t('reg.publishedPlace')} value={w.publication.place} onChange={(e) => setWork('publication', { ...w.publication, place: e.currentTarget.value })} />
              <TextInput label={t('reg.publishedUrl')} value={w.publication.url} onChange={(e) => setWork('publication', { ...w.publication, url: e.currentTarget.value })} />
            </SimpleGrid>
          ) : null}
          <Group gap="xs" align="end">
            <Select label={t('reg.rightsObtained')} value={w.rightsObtained} allowDeselect={false} w={200} data={(['original', 'inheritance', 'succession', 'other'] as const).map((n) => ({ value: n, label: t(`reg.obtained.${n}`) }))} onChange={(v) => v && setWork('rightsObtained', v as Spec['work']['rightsObtained'])} />
            <Select label={t('reg.rightsScope')} value={w.rightsScope} allowDeselect={false} w={160} data={(['all', 'part'] as const).map((c) => ({ value: c, label: t(`reg.scopes.${c}`) }))} onChange={(v) => v && setWork('rightsScope', v as Spec['work']['rightsScope'])} />
            {w.rightsScope === 'part' ? <MultiSelect label={t('reg.rightsHeld')} data={RIGHTS.map((r) => ({ value: r, label: t(`reg.rights.${r}`) }))} value={w.rightsHeld} w={420} onChange={(v) => setWork('rightsHeld', v as Spec['work']['rightsHeld'])} /> : null}
          </Group>
          <Checkbox label={t('reg.peoplePictured')} checked={spec.peoplePictured} onChange={(e) => { const v = e.currentTarget.checked; update((s) => ({ ...s, peoplePictured: v })); }} />
          <Checkbox label={t('reg.english')} checked={spec.english} onChange={(e) => { const v = e.currentTarget.checked; update((s) => ({ ...s, english: v })); }} data-testid="reg-english" />
          <Group gap="xs">
            <TextInput label={t('reg.signingPlace')} value={spec.signing.place} onChange={(e) => { const v = e.currentTarget.value; update((s) => ({ ...s, signing: { ...s.signing, place: v } })); }} />
            <TextInput label={t('reg.signingDate')} placeholder="YYYY-MM-DD" value={spec.signing.date} onChange={(e) => { const v = e.currentTarget.value; update((s) => ({ ...s, signing: { ...s.signing, date: v } })); }} />
          </Group>
        </Stack>
      ) : null}

      {step === 3 ? (
        <SimpleGrid cols={descLangs.length} spacing="md">
          {descLangs.map((lang) => (
            <Stack key={lang} gap="xs">
              <Text fw={600}>{lang === 'zh' ? t('reg.descZh') : t('reg.descEn')}</Text>
              {SECTIONS.map((k) => (
                <Textarea key={k} label={t(`reg.sections.${k}`)} autosize minRows={2} maxRows={8} value={spec.description[lang][k]} data-testid={`desc-${lang}-${k}`}
                  onChange={(e) => { const v = e.currentTarget.value; update((s) => ({ ...s, description: { ...s.description, [lang]: { ...s.description[lang], [k]: v } } })); }} />
              ))}
            </Stack>
          ))}
        </SimpleGrid>
      ) : null}

      {step === 4 ? (
        <Stack gap="sm" data-testid="reg-check">
          {!check ? <Text c="dimmed">…</Text> : (
            <>
              {check.missing.length === 0 ? <Alert color="teal">{t('reg.ready')} {t('reg.fee', { fee: check.feeYuan })}</Alert> : <IssueList issues={[...check.missing].sort((a, b) => stepOfPath(a.path) - stepOfPath(b.path))} title={t('reg.missing', { count: check.missing.length })} label={fieldLabel} onGo={goToIssue} />}
              <Text fw={600}>{t('reg.samples', { profile: check.samples[0]?.profileId ?? '' })}</Text>
              <Table>
                <Table.Thead><Table.Tr><Table.Th w={240}>{t('reg.sample')}</Table.Th><Table.Th w={120}>{t('reg.verdict')}</Table.Th><Table.Th>{t('reg.findings')}</Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>
                  {check.samples.map((s) => (
                    <Table.Tr key={s.imageId} data-testid="sample-row">
                      <Table.Td fz="sm">{s.sampleName}<Text fz="xs" c="dimmed">#{s.imageId} {s.title}</Text></Table.Td>
                      <Table.Td><Badge color={s.verdict === 'pass' ? 'teal' : s.verdict === 'warn' ? 'yellow' : 'red'} variant="light" miw={80}>{t(`reg.verdicts.${s.verdict}`)}</Badge></Table.Td>
                      <Table.Td fz="xs">{(zh ? s.findingsZh : s.findings).join(' ')}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              {failing.length ? (canFix ? <Checkbox label={t('reg.useFix')} checked={fix} onChange={(e) => setFix(e.currentTarget.checked)} data-testid="reg-fix" /> : <Alert color="red">{t('reg.notFixable')}</Alert>) : null}
              <Group><Button size="xs" variant="default" onClick={() => setCheck(null)}>{t('reg.checkNow')}</Button></Group>
            </>
          )}
        </Stack>
      ) : null}

      {step === 5 ? (
        <Stack gap="sm">
          <OutputPicker parent={parent} onParent={setParent} name={name} onName={(v) => { setName(v); setNameTouched(true); }} />
          <Group gap="xs">
            <Button variant="default" loading={previewJob.running} onClick={() => void previewJob.run({ kind: 'registration', spec }).then((r) => r && setPreview(r))} data-testid="reg-preview">{t('build.preview')}</Button>
            <Button disabled={!readyToBuild || !outDir || buildJob.running} onClick={() => void buildJob.run({ spec, outDir, fixSamples: fix }).then((r) => r && onBuilt())} data-testid="reg-build">{t('build.build')}</Button>
          </Group>
          {!readyToBuild ? <Text fz="xs" c="orange">{t('reg.missing', { count: (check?.missing.length ?? 0) + (canFix && fix ? 0 : failing.length) })}</Text> : null}
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
      <WizardNav step={step} last={5} onStep={setStep} nextTestId="reg-next" />
      {editing ? (
        <PersonModal key={editing.id} person={editing} opened onClose={() => setEditing(null)} onSaved={() => {
          setEditing(null);
          setCheck(null);
          void reloadPeople();
        }} />
      ) : null}
      {adding ? (
        <PersonModal person={null} role={adding} opened onClose={() => setAdding(null)} onSaved={(p) => {
          void reloadPeople();
          if (adding === 'owner') update((s) => ({ ...s, owners: [...s.owners, { personId: p.id }] }));
          if (adding === 'author') update((s) => ({ ...s, authors: [...s.authors, { person: { personId: p.id }, creditedName: p.name }] }));
          if (adding === 'agent') update((s) => ({ ...s, agent: { personId: p.id } }));
          setAdding(null);
        }} />
      ) : null}
    </Stack>
  );
}
