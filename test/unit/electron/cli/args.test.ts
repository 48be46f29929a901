// The command line: the forms an option may take, the one-sentence mistakes, and help that lists
// every option each command takes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError, type OptionSpec } from '../../../../electron/cli/args.js';
import { COMMANDS, HELP, commandHelp } from '../../../../electron/cli/main.js';

const SPECS: OptionSpec[] = [
  { name: 'key', short: 'k', kind: 'list' },
  { name: 'level', short: 'L', kind: 'value' },
  { name: 'limit', kind: 'value' },
  { name: 'dry-run', kind: 'flag' },
];

describe('parseArgs', () => {
  test('long and short forms, inline values, repeatable lists, -- and negative numbers as arguments', () => {
    const a = parseArgs(
      [
        'pacs',
        '-k',
        'PatientID=1',
        '-kStudyDate=-20240101',
        '--key=Modality=CT',
        '-L',
        'STUDY',
        '--limit=5',
        '--dry-run',
        '--json',
        '-v',
        '-3',
        '--',
        '--not-an-option',
      ],
      SPECS,
    );
    assert.deepEqual(a.positionals, ['pacs', '-3', '--not-an-option']);
    assert.deepEqual(a.lists.get('key'), ['PatientID=1', 'StudyDate=-20240101', 'Modality=CT']);
    assert.equal(a.values.get('level'), 'STUDY');
    assert.equal(a.values.get('limit'), '5');
    assert.deepEqual([...a.flags].sort(), ['dry-run', 'json', 'verbose']);
  });

  test('every mistake is one sentence naming the option', () => {
    const mistake = (argv: string[]) => {
      try {
        parseArgs(argv, SPECS);
      } catch (e) {
        assert.ok(e instanceof UsageError);
        return e.message;
      }
      return 'accepted';
    };
    assert.equal(mistake(['--nope']), 'Unknown option --nope; see "priors help"');
    assert.equal(mistake(['-x']), 'Unknown option -x; see "priors help"');
    assert.equal(mistake(['--json=yes']), 'Option --json takes no value');
    assert.equal(mistake(['--limit']), 'Option --limit needs a value');
    assert.equal(mistake(['--limit', '1', '--limit', '2']), 'Option --limit is given twice');
    // a long name is not a short one
    assert.equal(mistake(['-l', 'x']), 'Unknown option -l; see "priors help"');
  });
});

describe('help', () => {
  test('the global help names every option of every command', () => {
    const missing: string[] = [];
    for (const [name, command] of Object.entries(COMMANDS)) {
      for (const spec of command.options) {
        if (!HELP.includes(`--${spec.name}`) && !(spec.short && HELP.includes(`-${spec.short} `))) missing.push(`${name} --${spec.name}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test("a command's --help gives its own usage lines and every option it takes", () => {
    const serve = commandHelp('serve');
    assert.match(serve, /^Usage:\n {2}priors serve /);
    assert.doesNotMatch(serve, /priors echo/);
    for (const o of ['--aet TITLE', '--port N', '--ui', '--data DIR', '-h, --help']) assert.ok(serve.includes(o), `${o} in serve's help`);
    const find = commandHelp('find');
    assert.ok(find.includes('-k, --key Key=Value (repeatable)'));
    assert.ok(find.includes('--timeout SECONDS'));
    assert.match(commandHelp('nodes'), /priors nodes add .*\n[\s\S]*priors nodes rm/);
  });
});
