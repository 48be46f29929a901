/**
 * The body-part synonym table: one group per body part (CHEST = THORAX = LUNG …; the first
 * word names it), read from Body Part Examined and from the words of study and series
 * descriptions. Words and groups are added and removed here, checked at once, and saved
 * together (prefetch.saveSynonyms); Revert drops the edits.
 */
import { useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../../../shared/api/contract.js';
import type { BodyPartSynonyms } from '../../../../shared/prefetch.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { addGroup, addWords, removeGroup, removeWord, sameTable } from './synonym-edit.js';
import type { RulesState } from './use-rules.js';

export function SynonymsPanel({ state }: { state: RulesState }) {
  const [groups, setGroups] = useState<BodyPartSynonyms>(state.synonyms);
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<{ where: string; error: string } | undefined>();
  const [saveError, setSaveError] = useState<ApiError | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  // a table read again (the screen shown again, or saved here) replaces the one shown, unless
  // that one holds edits not saved yet
  const saved = useRef(state.synonyms);
  const justSaved = useRef(false);
  useEffect(() => {
    const before = saved.current;
    saved.current = state.synonyms;
    const take = justSaved.current;
    justSaved.current = false;
    setGroups((shown) => (take || sameTable(shown, before) ? state.synonyms : shown));
  }, [state.synonyms]);
  const changed = !sameTable(groups, state.synonyms);

  const edit = (where: string, result: { ok: true; groups: BodyPartSynonyms } | { ok: false; error: string }): void => {
    if (!result.ok) {
      setProblem({ where, error: result.error });
      return;
    }
    setProblem(undefined);
    setGroups(result.groups);
    setTyped((t) => ({ ...t, [where]: '' }));
    setNotice(undefined);
  };
  const save = async (): Promise<void> => {
    justSaved.current = true;
    const error = await state.saveSynonyms(groups);
    if (error) justSaved.current = false;
    setSaveError(error);
    setNotice(error ? undefined : 'Synonyms saved: the next runs read body parts with them.');
  };
  const word = (where: string) => ({
    value: typed[where] ?? '',
    onChange: (e: { target: { value: string } }) => setTyped((t) => ({ ...t, [where]: e.target.value })),
  });
  const fieldProblem = (where: string) =>
    problem?.where === where ? (
      <p className="field-error" role="alert">
        {problem.error}
      </p>
    ) : null;

  return (
    <section className="prefetch-section" role="region" aria-labelledby="pf-syn-h">
      <h2 id="pf-syn-h">Body-part synonyms</h2>
      <p className="muted">
        A rule&apos;s &quot;same body part&quot; compares body parts through these groups: Body Part Examined, else the words of the descriptions.
      </p>
      <ul className="synonym-groups" aria-label="Synonym groups">
        {groups.map((g, i) => {
          const head = g[0] ?? `group ${i + 1}`;
          const where = `g${i}`;
          return (
            <li key={`${head}-${i}`} data-group={head} className="synonym-group">
              <span className="synonym-words">
                {g.map((w, j) => (
                  <span key={w} className={j === 0 ? 'chip chip-head' : 'chip'}>
                    {w}
                    <button
                      type="button"
                      className="chip-x"
                      aria-label={`Remove ${w} from ${head}`}
                      title={`Remove ${w}`}
                      onClick={() => {
                        setGroups(removeWord(groups, i, w));
                        setProblem(undefined);
                        setNotice(undefined);
                      }}
                    >
                      ×
                    </button>
                  </span>
                ))}
              </span>
              <form
                className="synonym-add"
                onSubmit={(e) => {
                  e.preventDefault();
                  edit(where, addWords(groups, i, typed[where] ?? ''));
                }}
              >
                <input aria-label={`Add a word to ${head}`} placeholder="add a word" spellCheck={false} {...word(where)} />
                <button type="submit">Add</button>
                <button
                  type="button"
                  className="danger"
                  aria-label={`Remove the group ${head}`}
                  onClick={() => {
                    setGroups(removeGroup(groups, i));
                    setProblem(undefined);
                    setNotice(undefined);
                  }}
                >
                  Remove group
                </button>
              </form>
              {fieldProblem(where)}
            </li>
          );
        })}
      </ul>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          edit('new', addGroup(groups, typed.new ?? ''));
        }}
      >
        <label htmlFor="pf-syn-new">New group</label>
        <input id="pf-syn-new" placeholder="KNEE, PATELLA" spellCheck={false} {...word('new')} />
        <button type="submit">Add group</button>
      </form>
      {fieldProblem('new')}
      <ErrorLine error={saveError} />
      <div className="form-actions">
        <button type="button" className="primary" disabled={!changed} onClick={() => void save()}>
          Save synonyms
        </button>
        <button
          type="button"
          disabled={!changed}
          onClick={() => {
            setGroups(state.synonyms);
            setProblem(undefined);
          }}
        >
          Revert
        </button>
        <span className="notice" role="status">
          {changed ? 'Edited: not saved yet.' : (notice ?? '')}
        </span>
      </div>
    </section>
  );
}
