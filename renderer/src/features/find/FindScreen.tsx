import { Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';

// The find screen; filled in by its issue.
export function FindScreen() {
  const { t } = useTranslation();
  return <Title order={2}>{t('nav.find')}</Title>;
}
