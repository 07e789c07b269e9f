// Text in a stable order: by UTF-16 code unit, the same on every machine. localeCompare follows
// the locale (LANG) through ICU, so a report's order could differ from one host to the next, and
// the first call maps about 3 MiB of ICU's collation data into the process.

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
