import { useTranslation } from 'react-i18next';
import type { Wording } from '../../../electron/contract/index.ts';
import { baseName } from './files.ts';

/** Words a core phrase code in the interface language; the core's English text where there is no phrase for it. */
export function useWording(): (wording: Wording | undefined, text: string) => string {
  const { t } = useTranslation();
  return (wording, text) => (wording ? t(`notices.${wording.code}`, { ...wording.values, defaultValue: text }) : text);
}

/**
 * One file's error in a batch summary: "name: why" in the interface language when the core gave a
 * phrase code (its phrases leave the name out), else the core's own sentence, which names the file.
 */
export function useFileError(): (file: string, error: string, wording?: Wording) => string {
  const word = useWording();
  return (file, error, wording) => (wording ? `${baseName(file)}: ${word(wording, error)}` : error);
}
