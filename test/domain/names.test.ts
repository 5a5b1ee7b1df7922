/** The one normalisation of names for staff search (lib/domain/names.ts): what folds, what stays a letter of its own. */
import { describe, expect, it } from 'vitest';
import { normalizeName } from '#domain/names.ts';

describe('normalizeName', () => {
  it('folds case and drops diacritics from Latin letters only', () => {
    expect(normalizeName('Zsófia KOVÁCS')).toBe('zsofia kovacs');
    expect(normalizeName('Őrsi Űrhajós')).toBe('orsi urhajos');
    expect(normalizeName('Seán Ó Briain')).toBe('sean o briain');
  });

  it('keeps Cyrillic letters that look like a letter with a mark (й, ї, ё) as they are', () => {
    expect(normalizeName('ЙОСИП Їжак')).toBe('йосип їжак');
    expect(normalizeName('Йосип')).not.toBe(normalizeName('Иосип'));
    expect(normalizeName('Ґанна')).toBe('ґанна');
  });

  it('folds Armenian case and keeps its letters', () => {
    expect(normalizeName('ԱՐԱՄ Պետրոսյան')).toBe('արամ պետրոսյան');
  });

  it('reads the Arabic forms of yeh and kaf as the Persian ones and drops harakat, tatweel and ZWNJ', () => {
    expect(normalizeName('زهرا احمدي')).toBe(normalizeName('زهرا احمدی'));
    expect(normalizeName('كامران')).toBe('کامران');
    expect(normalizeName('مُحَمَّد')).toBe('محمد');
    expect(normalizeName('مـــریم')).toBe('مریم');
    expect(normalizeName('زهرا‌سادات')).toBe('زهراسادات');
  });

  it('drops apostrophes, turns other punctuation into one space, and trims', () => {
    expect(normalizeName("  O'Brien-Smith,  Mary ")).toBe('obrien smith mary');
    expect(normalizeName('Мар’яна')).toBe('маряна');
    expect(normalizeName('---')).toBe('');
    expect(normalizeName('A'.repeat(150))).toHaveLength(100);
  });
});
