import { ActionIcon, AppShell, Group, NavLink, SegmentedControl, Text, Title, Tooltip, useMantineColorScheme } from '@mantine/core';
import { IconCertificate, IconFingerprint, IconListCheck, IconMoon, IconPhoto, IconSearch, IconSun, IconWritingSign, type Icon } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { setLanguage, type Language } from './i18n.ts';
import { NavContext, screens, type NavParams, type Screen } from './nav.tsx';
import { LibraryScreen } from './features/library/LibraryScreen.tsx';
import { WatermarkScreen } from './features/watermark/WatermarkScreen.tsx';
import { CheckScreen } from './features/check/CheckScreen.tsx';
import { FindScreen } from './features/find/FindScreen.tsx';
import { BundlesScreen } from './features/bundles/BundlesScreen.tsx';
import { HiddenScreen } from './features/hidden/HiddenScreen.tsx';

const icons: Record<Screen, Icon> = { library: IconPhoto, watermark: IconWritingSign, hidden: IconFingerprint, check: IconListCheck, find: IconSearch, bundles: IconCertificate };

function ScreenView({ screen }: { screen: Screen }) {
  switch (screen) {
    case 'library': return <LibraryScreen />;
    case 'watermark': return <WatermarkScreen />;
    case 'hidden': return <HiddenScreen />;
    case 'check': return <CheckScreen />;
    case 'find': return <FindScreen />;
    case 'bundles': return <BundlesScreen />;
  }
}

export function App() {
  const { t, i18n } = useTranslation();
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const [screen, setScreen] = useState<Screen>('library');
  const [params, setParams] = useState<NavParams>({});
  const nav = useMemo(() => ({ screen, params, go: (s: Screen, p: NavParams = {}) => { setScreen(s); setParams(p); } }), [screen, params]);

  return (
    <NavContext.Provider value={nav}>
      <AppShell header={{ height: 52 }} navbar={{ width: 200, breakpoint: 0 }} padding="md">
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between">
            <Group gap="xs">
              <Title order={4}>{t('app.name')}</Title>
              <Text size="sm" c="dimmed">{t('app.tagline')}</Text>
            </Group>
            <Group gap="sm">
              <SegmentedControl
                size="xs"
                aria-label={t('language')}
                value={i18n.language.startsWith('zh') ? 'zh' : 'en'}
                onChange={(v) => setLanguage(v as Language)}
                data={[{ value: 'zh', label: '中文' }, { value: 'en', label: 'English' }]}
              />
              <Tooltip label={colorScheme === 'dark' ? t('theme.light') : t('theme.dark')}>
                <ActionIcon variant="default" aria-label="theme" data-testid="theme-toggle" onClick={() => setColorScheme(colorScheme === 'dark' ? 'light' : 'dark')}>
                  {colorScheme === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
                </ActionIcon>
              </Tooltip>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs">
          {screens.map((s) => {
            const ScreenIcon = icons[s];
            return <NavLink key={s} data-testid={`nav-${s}`} active={s === screen} label={t(`nav.${s}`)} leftSection={<ScreenIcon size={18} aria-hidden />} onClick={() => nav.go(s)} />;
          })}
        </AppShell.Navbar>
        <AppShell.Main h="100dvh">
          <ScreenView screen={screen} />
        </AppShell.Main>
      </AppShell>
    </NavContext.Provider>
  );
}
