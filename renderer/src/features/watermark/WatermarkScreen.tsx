import { Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';

// The watermark screen; filled in by its issue.
export function WatermarkScreen() {
  const { t } = useTranslation();
  return <Title order={2}>{t('nav.watermark')}</Title>;
}
