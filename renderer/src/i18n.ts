import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { common } from './i18n-common.ts';
import { libraryStrings } from './features/library/i18n.ts';
import { checkStrings } from './features/check/i18n.ts';
import { watermarkStrings } from './features/watermark/i18n.ts';
import { hiddenStrings } from './features/hidden/i18n.ts';
import { findStrings } from './features/find/i18n.ts';
import { bundlesStrings } from './features/bundles/i18n.ts';

export const languages = ['en', 'zh'] as const;
export type Language = (typeof languages)[number];

const namespaces = { common, library: libraryStrings, check: checkStrings, watermark: watermarkStrings, hidden: hiddenStrings, find: findStrings, bundles: bundlesStrings };

function resourcesFor(lang: Language) {
  return Object.fromEntries(Object.entries(namespaces).map(([ns, strings]) => [ns, strings[lang]]));
}

/** The saved choice, else the OS/browser language: Chinese for any zh-*, English otherwise. */
export function initialLanguage(): Language {
  const saved = localStorage.getItem('proofmark.language');
  if (saved === 'en' || saved === 'zh') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

void i18n.use(initReactI18next).init({
  resources: { en: resourcesFor('en'), zh: resourcesFor('zh') },
  lng: initialLanguage(),
  fallbackLng: 'en',
  defaultNS: 'common',
  interpolation: { escapeValue: false },
});

export function setLanguage(lang: Language): void {
  localStorage.setItem('proofmark.language', lang);
  void i18n.changeLanguage(lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

export default i18n;
