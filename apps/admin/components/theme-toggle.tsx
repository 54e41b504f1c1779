'use client';

import { useEffect, useState } from 'react';

type Theme = 'system' | 'dark' | 'light';
const NEXT: Record<Theme, Theme> = { system: 'dark', dark: 'light', light: 'system' };
const LABEL: Record<Theme, string> = {
  system: 'Theme: system',
  dark: 'Theme: dark',
  light: 'Theme: light',
};
const ICON: Record<Theme, string> = { system: '◐', dark: '☾', light: '☀' };

/** Cycles system → dark → light; remembered in localStorage, applied by the layout's script. */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>('system');
  useEffect(() => {
    const saved = document.documentElement.dataset.theme;
    if (saved === 'dark' || saved === 'light') setTheme(saved);
  }, []);
  const choose = () => {
    const next = NEXT[theme];
    setTheme(next);
    if (next === 'system') {
      delete document.documentElement.dataset.theme;
      localStorage.removeItem('progressrus-theme');
    } else {
      document.documentElement.dataset.theme = next;
      localStorage.setItem('progressrus-theme', next);
    }
  };
  return (
    <button
      type="button"
      className="icon-button"
      onClick={choose}
      title={LABEL[theme]}
      aria-label={LABEL[theme]}
    >
      <span aria-hidden="true">{ICON[theme]}</span>
    </button>
  );
}
