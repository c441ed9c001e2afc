import { useTranslation } from 'react-i18next';
import type { Notice } from '../../../electron/contract/index.ts';

/** Words a core notice in the interface language: its code's phrase, else the core's English text. */
export function useNoticeText(): (n: Notice) => string {
  const { t } = useTranslation();
  return (n) => t(`notices.${n.code}`, { ...n.values, defaultValue: n.text });
}
