import { Alert, Button, Group, Modal, MultiSelect, NumberInput, ScrollArea, SegmentedControl, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Profile, ProfileEntry, Rule, RuleSeverity } from '../../../../electron/contract/index.ts';
import { api, ApiError } from '../../api.ts';

const FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif', 'heif', 'bmp'];
const COLOURS = ['rgb', 'gray', 'cmyk'];

/** A user copy of a profile: new id, "Copy of" name, based on the original. */
export function copyOf(entry: ProfileEntry, taken: string[], copyName: string): Profile {
  let id = `my-${entry.profile.id}`.slice(0, 48);
  for (let n = 2; taken.includes(id); n++) id = `my-${entry.profile.id}-${n}`.slice(0, 48);
  return { ...structuredClone(entry.profile), id, version: 1, basedOn: entry.profile.id, name: { en: copyName, zh: entry.profile.name.zh ? `${entry.profile.name.zh}（副本）` : '' } };
}

/** A rule's settings, without where it comes from or how it counts. */
const paramsOf = (r: Rule) => JSON.stringify({ ...r, source: '', severity: '' });

const USER_SOURCE = { id: 'user', kind: 'user' as const, title: 'Changed by you in ProofMark' };

/** The settings of one rule, as inputs; a rule whose settings change is attributed to the user. */
function RuleParams({ rule, onChange }: { rule: Rule; onChange: (r: Rule) => void }) {
  const { t } = useTranslation('check');
  const num = (value: number, set: (v: number) => Rule, unit: string, opts: { min?: number; max?: number; step?: number; decimalScale?: number } = {}) => (
    <NumberInput size="xs" w={130} data-testid={`param-${rule.id}`} value={value} onChange={(v) => typeof v === 'number' && onChange(set(v))} rightSection={<Text fz={10} c="dimmed">{unit}</Text>} rightSectionWidth={44} {...opts} />
  );
  switch (rule.kind) {
    case 'format': return <MultiSelect size="xs" w={260} data={FORMATS.map((f) => ({ value: f, label: f.toUpperCase() }))} value={rule.allowed} onChange={(v) => v.length && onChange({ ...rule, allowed: v as typeof rule.allowed })} />;
    case 'colourSpace': return <MultiSelect size="xs" w={200} data={COLOURS.map((c) => ({ value: c, label: c.toUpperCase() }))} value={rule.allowed} onChange={(v) => v.length && onChange({ ...rule, allowed: v as typeof rule.allowed })} />;
    case 'minDensity': return num(rule.dpi, (dpi) => ({ ...rule, dpi }), t('editor.dpi'), { min: 1, max: 10_000 });
    case 'maxFileSize': return num(Math.round((rule.bytes / 1048576) * 100) / 100, (v) => ({ ...rule, bytes: Math.max(10_000, Math.round(v * 1048576)) }), t('editor.mb'), { min: 0.01, step: 0.5, decimalScale: 2 });
    case 'minLongSide': return num(rule.px, (px) => ({ ...rule, px }), t('editor.px'), { min: 1 });
    case 'minSize': return (
      <Group gap={4}>
        {num(rule.width, (width) => ({ ...rule, width }), t('editor.px'), { min: 1 })}
        {num(rule.height, (height) => ({ ...rule, height }), t('editor.px'), { min: 1 })}
      </Group>
    );
    case 'square': return num(rule.tolerance, (tolerance) => ({ ...rule, tolerance }), t('editor.tolerance'), { min: 0, max: 0.5, step: 0.01, decimalScale: 2 });
    case 'whiteBackground': return (
      <Group gap={4}>
        {num(rule.minWhite, (minWhite) => ({ ...rule, minWhite }), t('editor.share'), { min: 0.5, max: 1, step: 0.05, decimalScale: 2 })}
        {num(rule.level, (level) => ({ ...rule, level }), t('editor.level'), { min: 200, max: 255 })}
      </Group>
    );
    case 'maxFiles': return num(rule.count, (count) => ({ ...rule, count }), t('editor.count'), { min: 1 });
    default: return null;
  }
}

interface Props {
  /** The profile being edited: a fresh copy, or a saved user copy. */
  draft: Profile | null;
  /** The rules as first shown, to tell which ones the user changed. */
  original: Profile | null;
  saved: boolean;
  onClose: () => void;
  onSaved: (entry: ProfileEntry) => void;
  onDeleted: (id: string) => void;
}

export function ProfileEditor({ draft: initial, original, saved, onClose, onSaved, onDeleted }: Props) {
  const { t } = useTranslation('check');
  const [draft, setDraft] = useState<Profile | null>(initial);
  const [error, setError] = useState<string | null>(null);
  if (!draft || !original) return null;

  const setRule = (i: number, rule: Rule) => {
    const before = original.rules.find((r) => r.id === rule.id);
    const changed = !before || paramsOf(rule) !== paramsOf(before);
    const next = { ...rule, source: changed ? USER_SOURCE.id : (before?.source ?? rule.source) } as Rule;
    const rules = draft.rules.map((r, k) => (k === i ? next : r));
    const needsUser = rules.some((r) => r.source === USER_SOURCE.id);
    const sources = needsUser && !draft.sources.some((s) => s.id === USER_SOURCE.id) ? [...draft.sources, USER_SOURCE] : draft.sources.filter((s) => s.id !== USER_SOURCE.id || needsUser);
    setDraft({ ...draft, rules, sources });
  };

  const save = async () => {
    setError(null);
    try {
      onSaved(await api.call('check.saveProfile', { profile: draft }));
    } catch (err) {
      const info = err instanceof ApiError ? err.info : null;
      setError(info?.issues?.length ? info.issues.map((i) => `${i.path}: ${i.message}`).join('\n') : (err as Error).message);
    }
  };

  return (
    <Modal opened onClose={onClose} title={t('editor.title')} size="xl">
      <Stack gap="sm" data-testid="profile-editor">
        <Group grow>
          <TextInput label={t('editor.id')} value={draft.id} disabled={saved} onChange={(e) => setDraft({ ...draft, id: e.currentTarget.value.trim() })} data-testid="profile-id" />
          <TextInput label={t('editor.nameEn')} value={draft.name.en} onChange={(e) => setDraft({ ...draft, name: { ...draft.name, en: e.currentTarget.value } })} />
          <TextInput label={t('editor.nameZh')} value={draft.name.zh} onChange={(e) => setDraft({ ...draft, name: { ...draft.name, zh: e.currentTarget.value } })} />
        </Group>
        <Group grow>
          <Select label={t('editor.convertTo')} value={draft.fix.convertTo} allowDeselect={false}
            data={[{ value: 'png', label: t('editor.png') }, { value: 'jpeg', label: t('editor.jpeg') }]}
            onChange={(v) => v && setDraft({ ...draft, fix: { ...draft.fix, convertTo: v as 'png' | 'jpeg' } })} />
          <NumberInput label={t('editor.jpegQuality')} min={70} max={100} value={draft.fix.jpegQuality} onChange={(v) => typeof v === 'number' && setDraft({ ...draft, fix: { ...draft.fix, jpegQuality: v } })} />
        </Group>
        <Text fw={600} fz="sm">{t('editor.rules')}</Text>
        <ScrollArea.Autosize mah={360}>
          <Table fz="xs" verticalSpacing={6}>
            <Table.Tbody>
              {draft.rules.map((r, i) => (
                <Table.Tr key={r.id} data-testid={`rule-${r.id}`}>
                  <Table.Td w={150}>
                    <Text fz="xs" fw={600}>{t(`kinds.${r.kind}`)}</Text>
                    <Text fz={10} c="dimmed">{r.id}{r.confirmed ? '' : ` · ${t('unconfirmed')}`}</Text>
                  </Table.Td>
                  <Table.Td w={250}>
                    <SegmentedControl size="xs" value={r.severity} onChange={(v) => setRule(i, { ...r, severity: v as RuleSeverity })}
                      data={(['fail', 'warn', 'off'] as const).map((s) => ({ value: s, label: t(`editor.severity.${s}`) }))} />
                  </Table.Td>
                  <Table.Td><RuleParams rule={r} onChange={(next) => setRule(i, next)} /></Table.Td>
                  <Table.Td w={70}>
                    <Text fz={10} c={r.source === USER_SOURCE.id ? 'grape' : 'dimmed'} td="underline dotted" title={draft.sources.find((s) => s.id === r.source)?.title} style={{ cursor: 'help', whiteSpace: 'nowrap' }}>{t('editor.source')}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
        {error ? <Alert color="red" style={{ whiteSpace: 'pre-line' }} data-testid="profile-error">{error}</Alert> : null}
        <Group justify="space-between">
          {saved ? (
            <Button color="red" variant="subtle" onClick={() => void api.call('check.deleteProfile', { id: draft.id }).then(() => onDeleted(draft.id))}>{t('editor.delete')}</Button>
          ) : <span />}
          <Button onClick={() => void save()} data-testid="profile-save">{t('editor.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
