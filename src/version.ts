import packageJson from '../package.json' with { type: 'json' };

/** askgate's version, from package.json, embedded at build time. */
export const version: string = packageJson.version;
