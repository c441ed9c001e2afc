import { useTranslation } from 'react-i18next';
import type { Wording } from '../../../electron/contract/index.ts';

/** Words a core phrase code in the interface language; the core's English text where there is no phrase for it. */
export function useWording(): (wording: Wording | undefined, text: string) => string {
  const { t } = useTranslation();
  return (wording, text) => (wording ? t(`notices.${wording.code}`, { ...wording.values, defaultValue: text }) : text);
}
