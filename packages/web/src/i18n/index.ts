import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Messages } from './locales/en';

export const LANGUAGES = ['ko', 'en', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Each language's own name: the same in every language, so not translated. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  ko: '한국어',
  en: 'English',
  ja: '日本語',
};

const STORAGE_KEY = 'tokki.language';

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The remembered choice, else the first supported browser language, else English. */
export function detectLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(stored)) return stored;
  } catch {
    // Storage can be off (private mode): fall through to the browser's languages.
  }
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const base = tag?.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/** `?i18n-debug` marks a missing key loudly, for the browser tests and translators. */
const debug = typeof location !== 'undefined' && location.search.includes('i18n-debug');

/**
 * Each language is its own chunk: only the one in use is downloaded. The type checker holds every
 * language to the English shape, so there is no fallback to load.
 */
async function loadMessages(lng: Language): Promise<Messages> {
  switch (lng) {
    case 'ko':
      return (await import('./locales/ko')).ko;
    case 'ja':
      return (await import('./locales/ja')).ja;
    case 'en':
      return (await import('./locales/en')).en;
  }
}

async function ensureLoaded(lng: Language): Promise<void> {
  if (i18next.hasResourceBundle(lng, 'translation')) return;
  i18next.addResourceBundle(lng, 'translation', await loadMessages(lng));
}

export async function initI18n(): Promise<void> {
  const lng = detectLanguage();
  const messages = await loadMessages(lng);
  await i18next.use(initReactI18next).init({
    lng,
    fallbackLng: false,
    supportedLngs: [...LANGUAGES],
    resources: { [lng]: { translation: messages } },
    interpolation: { escapeValue: false }, // React escapes.
    returnNull: false,
    saveMissing: debug,
    missingKeyHandler: debug
      ? (_lngs, _ns, key) => {
          console.error(`i18n: missing key "${key}"`);
          (window as { __i18nMissing?: string[] }).__i18nMissing ??= [];
          (window as { __i18nMissing?: string[] }).__i18nMissing!.push(key);
        }
      : false,
  });
  applyDocumentLanguage(lng);
}

export function currentLanguage(): Language {
  return isLanguage(i18next.language) ? i18next.language : 'en';
}

/** Switches the UI language and remembers it for the next visit. */
export async function setLanguage(lng: Language): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // Not remembered, but still switched.
  }
  await ensureLoaded(lng);
  await i18next.changeLanguage(lng);
  applyDocumentLanguage(lng);
}

function applyDocumentLanguage(lng: Language): void {
  document.documentElement.lang = lng;
  document.title = i18next.t('app.name', { lng });
}
