// A rule as a verdict quotes it: whole when it is of a readable length, else its start and how long
// it was — a 12 MB rule in a hostile ruleset must not become a 12 MB finding (nor a 4 GB report).

export const MAX_RULE_QUOTE = 400;

export function ruleQuote(text: string): string {
  return text.length <= MAX_RULE_QUOTE ? text : `${text.slice(0, MAX_RULE_QUOTE)}… (a rule of ${text.length} characters, cut)`;
}
