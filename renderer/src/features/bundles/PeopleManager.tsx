import { Alert, Badge, Button, Checkbox, Group, Modal, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Person, PersonRole } from '../../../../electron/contract/index.ts';
import { api, ApiError } from '../../api.ts';
import { DropArea } from '../../components/DropArea.tsx';
import { baseName } from '../../components/files.ts';
import { useWording } from '../../components/notice.ts';

const KINDS = ['natural', 'legal', 'other'] as const;
const ID_TYPES = ['id-card', 'passport', 'business-licence', 'hk-macau-permit', 'taiwan-permit', 'other'] as const;
const CREDITS = ['real-name', 'pen-name', 'anonymous'] as const;
const ROLES = ['owner', 'author', 'agent'] as const;
const TEXT_FIELDS = ['nationality', 'province', 'city', 'address', 'postcode', 'contactName', 'phone', 'email'] as const;

type Draft = {
  kind: (typeof KINDS)[number];
  name: string;
  idType: (typeof ID_TYPES)[number];
  idNumber: string;
  creditAs: (typeof CREDITS)[number];
  penName: string;
  roles: PersonRole[];
} & Record<(typeof TEXT_FIELDS)[number], string>;

function draftOf(p: Person | null, role?: PersonRole): Draft {
  return {
    kind: p?.kind ?? 'natural', name: p?.name ?? '', idType: p?.idType ?? 'id-card', idNumber: '', creditAs: p?.creditAs ?? 'real-name',
    penName: p?.penName ?? '', roles: p?.roles ?? (role ? [role] : []),
    nationality: p?.nationality ?? '', province: p?.province ?? '', city: p?.city ?? '', address: p?.address ?? '', postcode: p?.postcode ?? '',
    contactName: p?.contactName ?? '', phone: p?.phone ?? '', email: p?.email ?? '',
  };
}

/** Add or edit one person: fields, ID number (never shown in full), ID scans. */
export function PersonModal({ person, opened, onClose, onSaved, role }: { person: Person | null; opened: boolean; onClose: () => void; onSaved: (p: Person) => void; role?: PersonRole }) {
  const { t } = useTranslation('bundles');
  const word = useWording();
  const [draft, setDraft] = useState<Draft>(() => draftOf(person, role));
  const [addScans, setAddScans] = useState<string[]>([]);
  const [removeScans, setRemoveScans] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const { idNumber, ...rest } = draft;
      const saved = await api.call('bundles.people.save', { ...(person ? { id: person.id } : {}), ...rest, ...(idNumber ? { idNumber } : {}), addScans, removeScans });
      onSaved(saved);
    } catch (err) {
      setError(err instanceof ApiError ? [word(err.info.wording, err.info.message), ...(err.info.issues ?? []).slice(1).map((i) => `${i.path}: ${i.message}`)].join('\n') : String(err));
    } finally {
      setBusy(false);
    }
  };

  const names = { idTypes: t('people.idTypes', { returnObjects: true }) as Record<string, string> };
  return (
    <Modal opened={opened} onClose={onClose} title={person ? `${t('people.edit')} — ${person.name}` : t('people.add')} size="xl">
      <DropArea onPaths={(p) => setAddScans((s) => [...new Set([...s, ...p])])}>
        <Stack gap="sm" data-testid="person-modal">
          <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="xs">
            <TextInput label={t('people.name')} value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} required data-testid="person-name" />
            <Select label={t('people.kind')} data={KINDS.map((k) => ({ value: k, label: t(`people.kinds.${k}`) }))} value={draft.kind} onChange={(v) => v && set('kind', v as Draft['kind'])} allowDeselect={false} />
            <Select label={t('people.idType')} data={ID_TYPES.map((k) => ({ value: k, label: names.idTypes[k] ?? k }))} value={draft.idType} onChange={(v) => v && set('idType', v as Draft['idType'])} allowDeselect={false} />
            <TextInput
              label={t('people.idNumber')}
              description={person?.hasIdNumber ? t('people.idNumberKeep', { masked: person.idNumberMasked }) : undefined}
              value={draft.idNumber}
              onChange={(e) => set('idNumber', e.currentTarget.value)}
              autoComplete="off"
              data-testid="person-id"
            />
            <Select label={t('people.creditAs')} data={CREDITS.map((k) => ({ value: k, label: t(`people.credits.${k}`) }))} value={draft.creditAs} onChange={(v) => v && set('creditAs', v as Draft['creditAs'])} allowDeselect={false} />
            {draft.creditAs === 'pen-name' ? <TextInput label={t('people.penName')} value={draft.penName} onChange={(e) => set('penName', e.currentTarget.value)} /> : null}
            {TEXT_FIELDS.map((f) => (
              <TextInput key={f} label={t(`people.${f}`)} value={draft[f]} onChange={(e) => set(f, e.currentTarget.value)} data-testid={`person-${f}`} />
            ))}
          </SimpleGrid>
          <Checkbox.Group label={t('people.roles')} value={draft.roles} onChange={(v) => set('roles', v as PersonRole[])}>
            <Group gap="md" mt={4}>{ROLES.map((r) => <Checkbox key={r} value={r} label={t(`people.roleNames.${r}`)} />)}</Group>
          </Checkbox.Group>
          <Stack gap={4}>
            <Text fz="sm" fw={500}>{t('people.scans')}</Text>
            {person?.idScans.map((s) => (
              <Checkbox key={s.sha256} size="xs" label={`${s.name} (${Math.round(s.byteSize / 1024)} KB) — ${t('people.removeScan')}`} checked={removeScans.includes(s.sha256)}
                onChange={(e) => setRemoveScans((r) => (e.currentTarget.checked ? [...r, s.sha256] : r.filter((x) => x !== s.sha256)))} />
            ))}
            {addScans.map((p) => <Text key={p} fz="xs">+ {baseName(p)}</Text>)}
            <Group gap="xs">
              <Button size="xs" variant="light" onClick={() => (api.pick ? void api.pick('files').then((p) => setAddScans((s) => [...s, ...p])) : fileInput.current?.click())} data-testid="person-add-scans">{t('people.addScans')}</Button>
              <Text fz="xs" c="dimmed">{t('people.dropScans')}</Text>
            </Group>
            <input ref={fileInput} type="file" multiple accept="image/jpeg,image/png,application/pdf" hidden data-testid="person-scan-input" onChange={(e) => {
              const files = Array.from(e.currentTarget.files ?? []);
              if (files.length) void api.pathsForFiles(files).then((p) => setAddScans((s) => [...s, ...p]));
              e.currentTarget.value = '';
            }} />
          </Stack>
          <Text fz="xs" c="dimmed">{t('people.privacy')}</Text>
          {error ? <Alert color="red" style={{ whiteSpace: 'pre-line' }}>{error}</Alert> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>{t('actions.cancel', { ns: 'common' })}</Button>
            <Button onClick={() => void save()} loading={busy} disabled={!draft.name.trim()} data-testid="person-save">{t('actions.save', { ns: 'common' })}</Button>
          </Group>
        </Stack>
      </DropArea>
    </Modal>
  );
}

/** The saved people: a table with add, edit, delete. */
export function PeopleManager({ people, onChange }: { people: Person[]; onChange: () => void }) {
  const { t } = useTranslation('bundles');
  const [editing, setEditing] = useState<{ person: Person | null } | null>(null);
  const remove = async (p: Person) => {
    if (!window.confirm(t('people.confirmDelete', { name: p.name }))) return;
    await api.call('bundles.people.delete', { id: p.id });
    onChange();
  };
  return (
    <Stack gap="sm" data-testid="people">
      <Group justify="space-between">
        <Text fz="sm" c="dimmed">{t('people.privacy')}</Text>
        <Button onClick={() => setEditing({ person: null })} data-testid="person-add">{t('people.add')}</Button>
      </Group>
      {people.length === 0 ? <Text c="dimmed">{t('people.empty')}</Text> : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr><Table.Th>#</Table.Th><Table.Th>{t('people.name')}</Table.Th><Table.Th>{t('people.kind')}</Table.Th><Table.Th>{t('people.idNumber')}</Table.Th><Table.Th>{t('people.roles')}</Table.Th><Table.Th>{t('people.scans')}</Table.Th><Table.Th /></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {people.map((p) => (
              <Table.Tr key={p.id} data-testid="person-row">
                <Table.Td>{p.id}</Table.Td>
                <Table.Td>{p.name}</Table.Td>
                <Table.Td>{t(`people.kinds.${p.kind}`)}</Table.Td>
                <Table.Td ff="monospace">{p.idNumberMasked || '—'}</Table.Td>
                <Table.Td><Group gap={4}>{p.roles.map((r) => <Badge key={r} size="xs" variant="light">{t(`people.roleNames.${r}`)}</Badge>)}</Group></Table.Td>
                <Table.Td>{p.idScans.length}</Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end">
                    <Button size="compact-xs" variant="subtle" onClick={() => setEditing({ person: p })}>{t('people.edit')}</Button>
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => void remove(p)}>{t('people.delete')}</Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {editing ? (
        <PersonModal key={editing.person?.id ?? 'new'} person={editing.person} opened onClose={() => setEditing(null)} onSaved={() => { setEditing(null); onChange(); }} />
      ) : null}
    </Stack>
  );
}
