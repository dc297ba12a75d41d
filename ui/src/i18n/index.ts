/**
 * A tiny translator: the locale is one ref shared by every component, remembered in localStorage,
 * first guessed from the browser's language.
 */
import { ref } from 'vue';
import { MESSAGES, type Locale, type MessageKey } from './messages.js';

const STORAGE_KEY = 'pulse.locale';

function initialLocale(): Locale {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return globalThis.navigator?.language?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

const locale = ref<Locale>(initialLocale());

/** Fills `{name}` placeholders of a message in the current locale. */
export function translate(
  lang: Locale,
  key: MessageKey,
  params: Record<string, string | number> = {},
): string {
  return MESSAGES[lang][key].replace(/\{(\w+)\}/g, (_, name: string) =>
    String(params[name] ?? `{${name}}`),
  );
}

export function useI18n() {
  return {
    locale,
    t: (key: MessageKey, params?: Record<string, string | number>) =>
      translate(locale.value, key, params),
    /** BCP 47 tag for date and number formatting. */
    tag: () => (locale.value === 'zh' ? 'zh-CN' : 'en-GB'),
    toggle: () => {
      locale.value = locale.value === 'en' ? 'zh' : 'en';
      globalThis.localStorage?.setItem(STORAGE_KEY, locale.value);
    },
  };
}
