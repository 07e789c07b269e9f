// Texts kept for long (the model's history, the findings), as one piece each.

/**
 * The same text as one flat string. A template literal or `+` makes a rope (V8's ConsString: one
 * node per join, each holding its two parts), and a rope kept in a list stays a tree of nodes: a day
 * of 255 VRIDs failing over kept 125 000 of them. A JSON round trip copies any string exactly (lone
 * surrogates too) into one flat string, for about a microsecond; it is used only where a text is
 * kept: a master change (a few a second at most) and a finding's lines (once per analysis).
 */
export function flatText(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}
