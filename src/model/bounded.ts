// Append to a list that keeps only its newest `limit` items. Trimming happens in batches (when the
// list doubles), so appends stay amortised O(1) on long captures.

export function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > 2 * limit) list.splice(0, list.length - limit);
}

/** The newest `limit` items. */
export function newest<T>(list: readonly T[], limit: number): readonly T[] {
  return list.length > limit ? list.slice(list.length - limit) : list;
}
