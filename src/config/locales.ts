/** Languages of the customer page: English, Spanish, Portuguese (Brazil), French, Indonesian, Arabic. */
export const supportedLocales = ['en', 'es', 'pt', 'fr', 'id', 'ar'] as const;
export type Locale = (typeof supportedLocales)[number];
