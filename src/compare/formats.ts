/** What `compare --format` renders; a module of its own so the CLI's help and completion read it without loading the renderers. */
export const COMPARE_FORMATS = ['table', 'json', 'markdown', 'html'] as const;
export type CompareFormat = (typeof COMPARE_FORMATS)[number];
