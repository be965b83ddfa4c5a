import type { DateOrder } from '../../challenge/answer-types/date.ts';
import type { PageLanguage } from './catalogue.ts';

/**
 * Regions where English speakers write numeric dates month first. Everywhere else that askgate's
 * languages are used (Latin America, Brazil, Portugal, France, Indonesia, the Arab world, and
 * English in the UK, India, Nigeria, Kenya…) the day comes first.
 */
const monthFirstRegions: ReadonlySet<string> = new Set(['US', 'PH']);

/**
 * Chooses the order in which the page asks for dates: month/day/year for English with a US or
 * Philippine region (en-US, en-PH), day/month/year for every other language and region,
 * including plain `en`. The page shows the order with an example, and ISO yyyy-mm-dd is
 * always accepted too.
 */
export function dateOrderFor(language: PageLanguage): DateOrder {
  if (language.locale === 'en' && language.region !== null && monthFirstRegions.has(language.region)) return 'mdy';
  return 'dmy';
}
