import { ActionIcon, Button, ColorInput, Divider, Group, SegmentedControl, SimpleGrid, Stack, Switch, Text, Textarea, TextInput, Tooltip } from '@mantine/core';
import { useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Anchor, WatermarkDesign } from '../../../../electron/contract/index.ts';
import { api } from '../../api.ts';
import { SliderField } from './SliderField.tsx';

const ANCHORS: Anchor[] = ['top-left', 'top', 'top-right', 'left', 'center', 'right', 'bottom-left', 'bottom', 'bottom-right'];
const ARROWS: Record<Anchor, string> = { 'top-left': '↖', top: '↑', 'top-right': '↗', left: '←', center: '•', right: '→', 'bottom-left': '↙', bottom: '↓', 'bottom-right': '↘' };

export const defaultDesign: WatermarkDesign = {
  text: { content: '© {year} {owner}', font: 'source-han-sans-sc', weight: 'bold', colour: '#ffffff' },
  logo: null,
  opacity: 0.7,
  size: 4,
  outline: null,
  shadow: { colour: '#000000', opacity: 0.6, blur: 4, offset: 4 },
  layout: { mode: 'single', anchor: 'bottom-right', margin: 3 },
};

const percent = (v: number) => `${v}%`;

function Labelled({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="sm" fw={500}>{label}</Text>
      {children}
    </Stack>
  );
}

/** Every control of a design; changes are reported whole, the preview follows. */
export function DesignPanel({ design, onChange, owner, onOwner }: { design: WatermarkDesign; onChange: (d: WatermarkDesign) => void; owner: string; onOwner: (o: string) => void }) {
  const { t } = useTranslation('watermark');
  const logoInput = useRef<HTMLInputElement>(null);
  const set = (patch: Partial<WatermarkDesign>) => onChange({ ...design, ...patch });
  const text = design.text ?? { content: '', font: 'source-han-sans-sc' as const, weight: 'bold' as const, colour: '#ffffff' };
  const layout = design.layout;

  const chooseLogo = async () => {
    if (api.pick) {
      const [file] = await api.pick('files');
      if (file) set({ logo: { ref: file, scale: design.logo?.scale ?? 1.2, position: design.logo?.position ?? 'left' } });
    } else logoInput.current?.click();
  };

  return (
    <Stack gap="sm" data-testid="design-panel">
      <Textarea
        label={t('design.text')}
        description={t('design.textHelp')}
        autosize
        minRows={2}
        value={text.content}
        onChange={(e) => set({ text: { ...text, content: e.currentTarget.value } })}
        data-testid="design-text"
      />
      <TextInput label={t('design.owner')} value={owner} onChange={(e) => onOwner(e.currentTarget.value)} data-testid="design-owner" />
      <Group grow align="end">
        <Labelled label={t('design.weight')}>
          <SegmentedControl size="xs" value={text.weight} onChange={(v) => set({ text: { ...text, weight: v as 'regular' | 'bold' } })} data={[{ value: 'regular', label: t('design.regular') }, { value: 'bold', label: t('design.bold') }]} />
        </Labelled>
        <ColorInput size="xs" label={t('design.colour')} value={text.colour} format="hex" onChange={(v) => /^#[0-9a-f]{6}$/i.test(v) && set({ text: { ...text, colour: v } })} />
      </Group>
      <SliderField label={t('design.opacity')} format={(v) => `${Math.round(v * 100)}%`} min={0.05} max={1} step={0.05} value={design.opacity} onChange={(v) => set({ opacity: v })} data-testid="design-opacity" />
      <SliderField label={t('design.size')} format={percent} min={0.5} max={20} step={0.5} value={design.size} onChange={(v) => set({ size: v })} data-testid="design-size" />
      <Group grow>
        <Switch label={t('design.outline')} checked={design.outline !== null} onChange={(e) => set({ outline: e.currentTarget.checked ? { colour: '#000000', width: 6 } : null })} data-testid="design-outline" />
        <Switch label={t('design.shadow')} checked={design.shadow !== null} onChange={(e) => set({ shadow: e.currentTarget.checked ? { colour: '#000000', opacity: 0.6, blur: 4, offset: 4 } : null })} />
      </Group>
      {design.outline ? (
        <Group grow align="end">
          <SliderField label={t('design.outlineWidth')} format={percent} min={1} max={20} step={1} value={design.outline.width} onChange={(v) => set({ outline: { ...design.outline!, width: v } })} />
          <ColorInput size="xs" value={design.outline.colour} format="hex" onChange={(v) => /^#[0-9a-f]{6}$/i.test(v) && set({ outline: { ...design.outline!, colour: v } })} />
        </Group>
      ) : null}

      <Divider label={t('design.logo')} labelPosition="left" />
      <Group gap="xs">
        <Button size="xs" variant="default" onClick={() => void chooseLogo()} data-testid="design-logo">{t('design.chooseLogo')}</Button>
        <input ref={logoInput} type="file" accept="image/png,image/svg+xml,image/webp" hidden data-testid="design-logo-input" onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          if (files.length) void api.pathsForFiles(files).then(([file]) => file && set({ logo: { ref: file, scale: design.logo?.scale ?? 1.2, position: design.logo?.position ?? 'left' } }));
          e.currentTarget.value = '';
        }} />
        {design.logo ? <Button size="xs" variant="subtle" color="red" onClick={() => set({ logo: null })}>{t('design.removeLogo')}</Button> : null}
      </Group>
      {design.logo ? (
        <>
          <Text size="xs" c="dimmed" truncate="start" title={design.logo.ref}>{design.logo.ref.startsWith('sha256:') ? design.logo.ref.slice(0, 19) : design.logo.ref}</Text>
          <SliderField label={t('design.logoScale')} format={(v) => `×${v}`} min={0.2} max={5} step={0.1} value={design.logo.scale} onChange={(v) => set({ logo: { ...design.logo!, scale: v } })} />
          <SegmentedControl size="xs" value={design.logo.position} onChange={(v) => set({ logo: { ...design.logo!, position: v as 'left' | 'above' } })} data={[{ value: 'left', label: t('design.logoLeft') }, { value: 'above', label: t('design.logoAbove') }]} />
        </>
      ) : null}

      <Divider />
      <SegmentedControl
        value={layout.mode}
        data-testid="design-mode"
        onChange={(v) => set({ layout: v === 'tile' ? { mode: 'tile', spacing: 10, angle: -30, stagger: true } : { mode: 'single', anchor: 'bottom-right', margin: 3 } })}
        data={[{ value: 'single', label: t('design.single') }, { value: 'tile', label: t('design.tile') }]}
      />
      {layout.mode === 'single' ? (
        <>
          <Labelled label={t('design.position')}>
            <SimpleGrid cols={3} spacing={4} w={120}>
              {ANCHORS.map((a) => (
                <Tooltip key={a} label={t(`design.anchors.${a}`)}>
                  <ActionIcon variant={layout.anchor === a ? 'filled' : 'default'} aria-label={t(`design.anchors.${a}`)} data-testid={`anchor-${a}`} onClick={() => set({ layout: { ...layout, anchor: a } })}>
                    {ARROWS[a]}
                  </ActionIcon>
                </Tooltip>
              ))}
            </SimpleGrid>
          </Labelled>
          <SliderField label={t('design.margin')} format={percent} min={0} max={25} step={0.5} value={layout.margin} onChange={(v) => set({ layout: { ...layout, margin: v } })} />
        </>
      ) : (
        <>
          <SliderField label={t('design.spacing')} format={percent} min={0} max={60} step={1} value={layout.spacing} onChange={(v) => set({ layout: { ...layout, spacing: v } })} />
          <SliderField label={t('design.angle')} format={(v) => `${v}°`} min={-90} max={90} step={5} value={layout.angle} onChange={(v) => set({ layout: { ...layout, angle: v } })} />
          <Switch label={t('design.stagger')} checked={layout.stagger} onChange={(e) => set({ layout: { ...layout, stagger: e.currentTarget.checked } })} />
        </>
      )}
    </Stack>
  );
}
