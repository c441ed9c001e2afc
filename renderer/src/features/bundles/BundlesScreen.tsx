import { Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';

// The bundles screen; filled in by its issue.
export function BundlesScreen() {
  const { t } = useTranslation();
  return <Title order={2}>{t('nav.bundles')}</Title>;
}
