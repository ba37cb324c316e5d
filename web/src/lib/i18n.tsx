/**
 * The UI language: English or Arabic, chosen by the user (kept in localStorage and in their profile), applied to
 * `<html lang dir>` so the whole layout mirrors in Arabic (the CSS uses logical properties only).
 */
import { type ComponentChildren, createContext } from "preact";
import { useCallback, useContext, useLayoutEffect, useMemo, useState } from "preact/hooks";
import { ar } from "../i18n/ar.ts";
import { en, type MessageKey } from "../i18n/en.ts";

/** A UI language. */
export type Language = "en" | "ar";

const catalogues: Record<Language, Record<MessageKey, string>> = { en, ar };
const STORAGE_KEY = "aiteacher.language";

/** Fills `{name}` placeholders of a catalogue string. */
export function format(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name) => name in values ? String(values[name]) : whole);
}

/** The translation function of one language. */
export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

interface I18n {
  language: Language;
  dir: "ltr" | "rtl";
  t: Translate;
  setLanguage(language: Language): void;
}

const I18nContext = createContext<I18n | null>(null);

function initialLanguage(): Language {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (stored === "en" || stored === "ar") return stored;
  return navigator.language?.toLowerCase().startsWith("ar") ? "ar" : "en";
}

/** Provides the language and `t` to the app, and keeps `<html lang dir>` in step. */
export function I18nProvider(props: { children: ComponentChildren }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLanguageState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const catalogue = catalogues[language];
    return {
      language,
      dir: language === "ar" ? "rtl" : "ltr",
      t: (key, values) => format(catalogue[key] ?? en[key] ?? key, values),
      setLanguage,
    };
  }, [language, setLanguage]);
  // A layout effect, so `<html lang dir>` changes in the same frame as the text does (no flash of mirrored text).
  useLayoutEffect(() => {
    document.documentElement.lang = language;
    document.documentElement.dir = value.dir;
    document.title = value.t("app.name");
  }, [language, value]);
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

/** The current language, its direction and `t`. */
export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n() is used outside <I18nProvider>");
  return value;
}
