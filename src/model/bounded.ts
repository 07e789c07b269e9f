// Append to a list that keeps only its newest `limit` items. The lists are event lists (master
// changes, episodes, announcements), appended to a few times a second at most, so the oldest item
// goes as the newest comes: a list never holds more than its cap, and a model whose lists are all
// full holds the budget (caps.ts), not twice it. What a list lets go of is returned, so that its
// owner can count it (DroppedEntries): a finding that counts a list must know whether it is whole.

/** Appends `item`; returns how many of the oldest items went to make room (0 while under the cap). */
export function pushBounded<T>(list: T[], item: T, limit: number): number {
  list.push(item);
  if (list.length <= limit) return 0;
  // One over: V8 moves the array's start instead of its items. More (the caps shrank as more was tracked): cut at once.
  if (list.length === limit + 1) {
    list.shift();
    return 1;
  }
  const cut = list.length - limit;
  list.splice(0, cut);
  return cut;
}

/** The newest `limit` items. */
export function newest<T>(list: readonly T[], limit: number): readonly T[] {
  return list.length > limit ? list.slice(list.length - limit) : list;
}
