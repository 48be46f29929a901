/**
 * The rule editor without a DOM: the form as typed, read into a rule by shared/prefetch.ts's
 * check (the one the main process makes, checkRule), whose first problem comes with the path of
 * its setting, so the editor shows it next to that setting's field, one message at a time.
 */
import { checkRuleByPath, DEFAULT_RULE, type PrefetchRule } from '../../../../shared/prefetch.js';
import { pathText, type Problem } from '../../../../shared/validation.js';

/** What the editor edits, as typed (numbers stay text until checked). */
export interface RuleForm {
  name: string;
  enabled: boolean;
  /** Node names ticked; none = every archive. */
  nodes: string[];
  /** "Applies to current studies of": modalities separated by commas or spaces; empty = all. */
  forModalities: string;
  relevant: 'same' | 'any' | 'listed';
  /** The listed modalities, when `relevant` is 'listed'. */
  listed: string;
  sameBodyPart: boolean;
  maxStudies: string;
  years: string;
  minGapDays: string;
  allStudies: boolean;
}

/** The fields a message can be about. */
export type RuleField = 'name' | 'nodes' | 'forModalities' | 'listed' | 'maxStudies' | 'years' | 'minGapDays';

/** The check's answer: the rule to save, or the first bad field and its sentence. */
export type RuleCheck = { ok: true; rule: PrefetchRule } | { ok: false; field: RuleField; error: string };

/** The form of a rule (a new one: the shipped rule's settings, no name). */
export function ruleFormOf(rule?: PrefetchRule): RuleForm {
  const r = rule ?? { ...DEFAULT_RULE, name: '' };
  const listed = Array.isArray(r.modalities);
  return {
    name: r.name,
    enabled: r.enabled,
    nodes: [...r.nodes],
    forModalities: r.forModalities.join(', '),
    relevant: listed ? 'listed' : (r.modalities as 'same' | 'any'),
    listed: listed ? (r.modalities as string[]).join(', ') : '',
    sameBodyPart: r.sameBodyPart,
    maxStudies: String(r.maxStudies),
    years: String(r.years),
    minGapDays: String(r.minGapDays),
    allStudies: r.allStudies,
  };
}

/** Modalities typed as "CT, MR" or "ct/mr": upper case, in order, once each (checkRule judges them). */
export function splitModalities(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;/\\]+/)
        .map((m) => m.trim().toUpperCase())
        .filter((m) => m !== ''),
    ),
  ];
}

/** A whole number as typed; anything else goes to checkRule as text, which names it in its sentence. */
function numberOf(text: string): number | string {
  const t = text.trim();
  return /^\d{1,9}$/.test(t) ? Number(t) : t;
}

/** The rule's settings, as the editor's sentences call them, and the field each marks. */
const SETTINGS: ReadonlyMap<string | number, { field: RuleField; noun: string }> = new Map([
  ['name', { field: 'name', noun: 'The name' }],
  ['nodes', { field: 'nodes', noun: 'The nodes' }],
  ['forModalities', { field: 'forModalities', noun: '"Applies to"' }],
  ['modalities', { field: 'listed', noun: 'The listed modalities' }],
  ['maxStudies', { field: 'maxStudies', noun: 'The number of newest studies' }],
  ['years', { field: 'years', noun: 'The years' }],
  ['minGapDays', { field: 'minGapDays', noun: 'The minimum gap in days' }],
]);

/**
 * A problem of the rule in the editor's words, with the field it marks: the field of the
 * setting its path begins with; one the form has no field for goes to the name.
 */
export function fieldOfProblem({ path, message }: Problem): { field: RuleField; error: string } {
  const setting = path[0] === undefined ? undefined : SETTINGS.get(path[0]);
  if (!setting) return { field: 'name', error: sentence(`${pathText(path) || 'The rule'} ${message}`) };
  return { field: setting.field, error: sentence(`${setting.noun} ${message}`) };
}

function sentence(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/**
 * Checks the form. `taken`: the names of the other rules (a new rule must not replace one by
 * accident: saving under an existing name replaces that rule).
 */
export function checkRuleForm(form: RuleForm, taken: readonly string[] = []): RuleCheck {
  const name = form.name.trim();
  if (name === '') return { ok: false, field: 'name', error: 'Give the rule a name (letters, digits, ".", "_" or "-").' };
  if (taken.some((t) => t.toLowerCase() === name.toLowerCase())) {
    return { ok: false, field: 'name', error: `A rule named "${name}" exists already: choose another name, or edit that rule.` };
  }
  const raw: Record<string, unknown> = {
    name,
    enabled: form.enabled,
    nodes: form.nodes,
    forModalities: splitModalities(form.forModalities),
    modalities: form.relevant === 'listed' ? splitModalities(form.listed) : form.relevant,
    sameBodyPart: form.sameBodyPart,
    maxStudies: numberOf(form.maxStudies),
    years: numberOf(form.years),
    minGapDays: numberOf(form.minGapDays),
    allStudies: form.allStudies,
  };
  // "every earlier study" greys out what it overrides: a bad value there is not the user's
  // to fix, so it falls back to the shipped rule's (it is kept for when the box is unticked)
  for (let tries = 0; ; tries++) {
    const checked = checkRuleByPath(raw);
    if (checked.ok) return { ok: true, rule: checked.value };
    const key = checked.error.path[0];
    if (!form.allStudies || !isOverridden(key) || tries > OVERRIDDEN.length) return { ok: false, ...fieldOfProblem(checked.error) };
    raw[key] = DEFAULT_RULE[key];
  }
}

/** The settings "every earlier study of the patient" makes moot. */
const OVERRIDDEN: readonly (keyof PrefetchRule)[] = ['modalities', 'sameBodyPart', 'maxStudies', 'years'];

function isOverridden(key: string | number | undefined): key is keyof PrefetchRule {
  return OVERRIDDEN.some((k) => k === key);
}

/** The nodes of a rule in words: "every archive" when it names none. */
export function ruleNodes(rule: Pick<PrefetchRule, 'nodes'>): string {
  return rule.nodes.length ? rule.nodes.join(', ') : 'every archive';
}

/** The field a form setting is checked as (the on/off settings have no message of their own). */
export function fieldOfSetting(key: keyof RuleForm): RuleField | undefined {
  switch (key) {
    case 'name':
    case 'nodes':
    case 'forModalities':
    case 'maxStudies':
    case 'years':
    case 'minGapDays':
      return key;
    case 'relevant':
    case 'listed':
      return 'listed';
    default:
      return undefined;
  }
}

/** One field's problem on its own (every other field as the shipped rule has it), or undefined. */
export function fieldProblem(form: RuleForm, field: RuleField, taken: readonly string[] = []): string | undefined {
  const probe: RuleForm = { ...ruleFormOf(), name: field === 'name' ? form.name : 'probe', allStudies: form.allStudies };
  if (field === 'listed') Object.assign(probe, { relevant: form.relevant, listed: form.listed });
  else if (field !== 'name') Object.assign(probe, { [field]: form[field] });
  const checked = checkRuleForm(probe, field === 'name' ? taken : []);
  return !checked.ok && checked.field === field ? checked.error : undefined;
}

/** Where the editor stands: the fields typed in, the last one, and whether Save was pressed. */
export interface EditorState {
  touched: ReadonlySet<RuleField>;
  last?: RuleField;
  submitted: boolean;
}

const FIELD_ORDER: readonly RuleField[] = ['name', 'nodes', 'forModalities', 'listed', 'maxStudies', 'years', 'minGapDays'];

/**
 * The one message the editor shows: the field being typed in first, then (after Save) the
 * form's first problem, else the first field already typed in that has one. A field not yet
 * reached (an empty name while the numbers are filled in) says nothing until Save.
 */
export function shownProblem(form: RuleForm, taken: readonly string[], state: EditorState): { field: RuleField; error: string } | undefined {
  if (state.last) {
    const error = fieldProblem(form, state.last, taken);
    if (error) return { field: state.last, error };
  }
  if (state.submitted) {
    const checked = checkRuleForm(form, taken);
    return checked.ok ? undefined : { field: checked.field, error: checked.error };
  }
  for (const field of FIELD_ORDER) {
    if (!state.touched.has(field)) continue;
    const error = fieldProblem(form, field, taken);
    if (error) return { field, error };
  }
  return undefined;
}
