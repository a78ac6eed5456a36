/** The CLI's version, from apps/cli/package.json at build time (the build's `define`, rolldown.config.ts), so there is one place to change it. */
declare const __LINKCAP_VERSION__: string;

export const VERSION: string = __LINKCAP_VERSION__;
