import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Image, List, ScrollArea, Select, SimpleGrid, Stack, Stepper, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BuildResult, FieldIssue, ImageItem, PreviewResult } from '../../../../electron/contract/index.ts';
import type { TFunction } from 'i18next';
import { api } from '../../api.ts';
import { useWording } from '../../components/notice.ts';

/** The folder separator the library path uses (Windows or POSIX). */
function sepOf(p: string): string {
  return p.includes('\\') && !p.includes('/') ? '\\' : '/';
}

export function joinPath(parent: string, name: string): string {
  const sep = sepOf(parent);
  return parent.endsWith(sep) ? `${parent}${name}` : `${parent}${sep}${name}`;
}

/**
 * A folder name from a title, the kind and the local date and time (a registration and a complaint
 * for the same work never share a name): characters file systems refuse become "-".
 */
export function folderName(title: string, kind: string): string {
  const clean = [...title.trim()].map((c) => (c.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(c) ? '-' : c)).join('').slice(0, 60);
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  return clean ? `${clean}-${kind}-${stamp}` : `${kind}-${stamp}`;
}

/** "Save in folder" + "Bundle name": the bundle folder is parent/name, its ZIP parent/name.zip. */
export function OutputPicker({ name, onName, parent, onParent }: { name: string; onName: (v: string) => void; parent: string; onParent: (v: string) => void }) {
  const { t } = useTranslation('bundles');
  useEffect(() => {
    if (parent) return;
    // Default: a "Bundles" folder beside the library.
    void api.call('library.info', {}).then((info) => {
      const sep = sepOf(info.root);
      const up = info.root.replace(/[\\/]+$/, '').split(sep).slice(0, -1).join(sep) || info.root;
      onParent(joinPath(up, 'Bundles'));
    });
  }, [parent, onParent]);
  return (
    <Group align="end" gap="xs" wrap="wrap">
      <TextInput label={t('build.folder')} value={parent} onChange={(e) => onParent(e.currentTarget.value)} w={420} data-testid="out-parent" />
      {api.pick ? (
        <Button variant="default" onClick={() => void api.pick?.('folder').then((p) => p[0] && onParent(p[0]))}>{t('build.choose')}</Button>
      ) : null}
      <TextInput label={t('build.name')} value={name} onChange={(e) => onName(e.currentTarget.value)} w={280} data-testid="out-name" />
    </Group>
  );
}

/** A wizard's steps: later steps can be clicked once there is a draft to work on. */
export function WizardStepper({ labels, step, onStep, started }: { labels: string[]; step: number; onStep: (i: number) => void; started: boolean }) {
  return (
    <Stepper active={step} onStepClick={(i) => (i === 0 || started ? onStep(i) : undefined)} allowNextStepsSelect={started} size="sm">
      {labels.map((l) => <Stepper.Step key={l} label={l} />)}
    </Stepper>
  );
}

/** Back and next below a wizard step; there is no next on the last one. */
export function WizardNav({ step, last, onStep, nextTestId }: { step: number; last: number; onStep: (i: number) => void; nextTestId: string }) {
  const { t } = useTranslation('bundles');
  return (
    <Group justify="space-between">
      <Button variant="default" onClick={() => onStep(step - 1)}>{t('nav.back')}</Button>
      {step < last ? <Button onClick={() => onStep(step + 1)} data-testid={nextTestId}>{t('nav.next')}</Button> : null}
    </Group>
  );
}

/**
 * Problems that stop a build, each with the field it concerns (named in the interface language when
 * `label` knows it) and a link to the step where it is fixed.
 */
export function IssueList({ issues, title, label, onGo }: { issues: FieldIssue[]; title: string; label?: (path: string) => string | null; onGo?: (path: string) => void }) {
  const { t } = useTranslation('bundles');
  const word = useWording();
  if (issues.length === 0) return null;
  return (
    <Alert color="orange" title={title} data-testid="issues">
      <List size="sm" spacing={4}>
        {issues.map((i) => (
          <List.Item key={`${i.path}:${i.message}`} data-testid="issue">
            <Text span fw={600} fz="sm">{label?.(i.path) ?? i.path}</Text>
            <Text span fz="sm"> — {word(i.wording, i.message)}</Text>
            {onGo ? <Anchor fz="xs" ml="xs" onClick={() => onGo(i.path)}>{t('nav.fix')}</Anchor> : null}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

/** Every page of every document, as images, one document at a time. */
export function PreviewPages({ preview }: { preview: PreviewResult }) {
  const { t } = useTranslation('bundles');
  const [doc, setDoc] = useState(preview.documents[0]?.name ?? '');
  const current = preview.documents.find((d) => d.name === doc) ?? preview.documents[0];
  useEffect(() => setDoc(preview.documents[0]?.name ?? ''), [preview]);
  if (!current) return null;
  return (
    <Stack gap="xs" data-testid="preview">
      <Group gap="xs" wrap="wrap">
        <Select
          label={t('build.document')}
          data={preview.documents.map((d) => ({ value: d.name, label: `${d.name} — ${d.title} (${t('build.pages', { count: d.pageCount })})` }))}
          value={current.name}
          onChange={(v) => v && setDoc(v)}
          allowDeselect={false}
          w={560}
          data-testid="preview-doc"
        />
      </Group>
      {preview.pageError ? <Alert color="yellow">{t('build.noPages', { reason: preview.pageError })}</Alert> : null}
      <ScrollArea h={520} type="auto">
        <Group gap="md" wrap="nowrap" align="start">
          {current.pages.map((p, i) => (
            <Card key={p.token} withBorder padding={4} shadow="xs" miw={300}>
              <Image src={api.mediaUrl('file', p.token)} w={300} h={Math.round((300 * p.height) / p.width)} alt={t('build.page', { n: i + 1 })} data-testid="preview-page" />
              <Text fz="xs" c="dimmed" ta="center">{t('build.page', { n: i + 1 })}</Text>
            </Card>
          ))}
        </Group>
      </ScrollArea>
    </Stack>
  );
}

/** What a finished build shows: where it is, "open folder", notes. */
export function BuildDone({ result, onVerify, onAnother }: { result: BuildResult; onVerify: () => void; onAnother: () => void }) {
  const { t } = useTranslation('bundles');
  return (
    <Alert color="teal" title={t('build.built', { id: result.bundleId })} data-testid="build-done">
      <Stack gap={4}>
        <Text fz="sm">{t('build.folderPath', { path: result.folder })}</Text>
        <Text fz="sm">{t('build.zip', { path: result.zip })}</Text>
        <Text fz="xs" c="dimmed">{t('build.files', { count: result.files.length, key: result.publicKeyFingerprint.slice(0, 23) })}</Text>
        {result.warnings.length ? <Text fz="xs" c="orange">{t('build.warnings')}: {result.warnings.join(' ')}</Text> : null}
        <Group gap="xs" mt={4}>
          {api.reveal ? <Button size="xs" onClick={() => void api.reveal?.(result.folder)} data-testid="open-folder">{t('build.open')}</Button> : null}
          <Button size="xs" variant="default" onClick={onVerify}>{t('build.verify')}</Button>
          <Anchor fz="sm" onClick={onAnother}>{t('build.another')}</Anchor>
        </Group>
      </Stack>
    </Alert>
  );
}

/** Library images as thumbnails to choose from (several, or one with `single`). */
export function ImagePicker({ chosen, onChange, single = false }: { chosen: number[]; onChange: (ids: number[]) => void; single?: boolean }) {
  const { t } = useTranslation('bundles');
  const [text, setText] = useState('');
  const [items, setItems] = useState<ImageItem[]>([]);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => void api.call('library.list', { text: text || undefined, limit: 300 }).then((r) => live && setItems(r.items)), 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);
  const toggle = (id: number) => {
    if (single) onChange([id]);
    else onChange(chosen.includes(id) ? chosen.filter((c) => c !== id) : [...chosen, id]);
  };
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <TextInput placeholder={t('reg.search')} value={text} onChange={(e) => setText(e.currentTarget.value)} w={280} />
        {!single ? <Badge variant="light">{t('reg.chosen', { count: chosen.length })}</Badge> : null}
      </Group>
      {items.length === 0 ? <Text c="dimmed">{t('reg.none')}</Text> : (
        <ScrollArea.Autosize mah={360}>
          <SimpleGrid cols={{ base: 3, sm: 5, lg: 7 }} spacing="xs">
            {items.map((item) => {
              const on = chosen.includes(item.id);
              return (
                <Card key={item.id} padding={4} withBorder onClick={() => toggle(item.id)} style={{ cursor: 'pointer', outline: on ? '2px solid var(--mantine-color-blue-6)' : undefined }} data-testid="bundle-pick-item">
                  <Image src={api.mediaUrl('thumb', item.id)} alt={item.title} h={84} fit="contain" />
                  <Group gap={4} wrap="nowrap" mt={4}>
                    <Checkbox size="xs" checked={on} onChange={() => toggle(item.id)} onClick={(e) => e.stopPropagation()} aria-label={item.title} radius={single ? 'xl' : undefined} />
                    <Text fz="xs" truncate>#{item.id} {item.title}</Text>
                  </Group>
                </Card>
              );
            })}
          </SimpleGrid>
        </ScrollArea.Autosize>
      )}
    </Stack>
  );
}

const PERSON_FIELDS = new Set(['name', 'kind', 'idType', 'idNumber', 'creditAs', 'penName', 'nationality', 'province', 'city', 'address', 'postcode', 'contactName', 'phone', 'email', 'idScans']);

/**
 * An issue about a person in a spec ("owners.0.address", "authors.1.person.phone", "agent.idScans.0"):
 * which reference it is about and which of that person's fields, or null.
 */
export function personIssue(path: string): { role: string; index: number | null; field: string } | null {
  const m = /^(owners|authors|agent|counterparty|complainant)(?:\.(\d+))?(?:\.person)?\.(\w+)/.exec(path);
  if (!m || !PERSON_FIELDS.has(m[3]!)) return null;
  return { role: m[1]!, index: m[2] === undefined ? null : Number(m[2]), field: m[3]! };
}

/** "Copyright owners 1: Address" for a person issue, in the interface language. */
export function personFieldLabel(t: TFunction<'bundles'>, roleLabel: string, issue: { index: number | null; field: string }): string {
  const field = issue.field === 'idScans' ? t('people.scans') : t(`people.${issue.field}`);
  return `${roleLabel}${issue.index === null ? '' : ` ${issue.index + 1}`}: ${field}`;
}
