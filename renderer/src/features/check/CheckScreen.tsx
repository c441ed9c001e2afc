import { Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';

// The check screen; filled in by its issue.
export function CheckScreen() {
  const { t } = useTranslation();
  return <Title order={2}>{t('nav.check')}</Title>;
}
