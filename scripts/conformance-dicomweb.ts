/**
 * The DICOMweb section of docs/conformance.md (PS3.18, after the layout of PS3.2 Annex A for
 * web services), from the code's own tables: the QIDO-RS keys and default return attributes of
 * electron/services/dicomweb/qido-answer.ts, the WADO-RS resources of wado-answer.ts and the
 * STOW-RS Failure Reasons of stow-answer.ts. scripts/conformance.ts puts it in the statement.
 */
import { formatStatus } from '../shared/dicom/status.js';
import { QIDO_DEFAULT_KEYS, QIDO_MAX_LIMIT, qidoMatchingKeys } from '../electron/services/dicomweb/qido-answer.js';
import { STOW_SOURCE_AE_TITLE } from '../electron/services/dicomweb/server.js';
import { STOW_FAILURE_REASONS } from '../electron/services/dicomweb/stow-answer.js';
import { DICOMWEB_ROOT } from '../electron/services/dicomweb/wado-answer.js';

const row = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]): string =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

const LEVELS = [
  ['STUDY', 'Study'],
  ['SERIES', 'Series'],
  ['IMAGE', 'Instance'],
] as const;

/** The DICOMweb section, as Markdown (numbered 6). */
export function dicomwebSection(): string {
  const root = DICOMWEB_ROOT;
  return `## 6. DICOMweb (PS3.18)

### 6.1 Origin server

The web host of \`priors serve\` is also a DICOMweb origin server over
the local cache, rooted at \`http://127.0.0.1:<port>${root}/\`: the port is that of
\`--ui --ui-port N\` (a free port by default) and is written, with the session token, to \`serve.json\` in the data directory
(owner-only). It listens on loopback only, unless config.json's \`local.dicomweb\`
(\`{ "bindAddress": "0.0.0.0", "port": 8080 }\`) opens it on another address: a listener that
answers ${root}/ and /wado only, never the API or the UI. Every request carries the session token, as
\`Authorization: Bearer <token>\`, \`?token=<token>\` or the \`X-Priors-Token\` header, else it is
answered 401 with a sentence. A caller is then let in as a DIMSE caller from its address would
be (2.2.2: Storage for STOW-RS, Query/Retrieve for the rest; a caller from a configured node's
host counts as that node, any other as the calling AE title \`${STOW_SOURCE_AE_TITLE}\`), else 403
with the sentence saying how to allow it.

${table(
  ['Service', 'Transaction', 'Resource', 'Media types'],
  [
    [
      'QIDO-RS',
      'Search (§10.6)',
      `GET ${root}/studies, /series, /instances, /studies/{study}/series, /studies/{study}/instances, /studies/{study}/series/{series}/instances`,
      'application/dicom+json',
    ],
    [
      'WADO-RS',
      'Retrieve Instances (§10.4)',
      `GET ${root}/studies/{study}[/series/{series}[/instances/{instance}]]`,
      'multipart/related; type="application/dicom", transfer-syntax=* (as stored) or one it converts to',
    ],
    [
      'WADO-RS',
      'Retrieve Metadata (§10.4)',
      `GET ${root}/studies/{study}[/series/{series}[/instances/{instance}]]/metadata`,
      'application/dicom+json, bulk data left out',
    ],
    ['STOW-RS', 'Store Instances (§10.5)', `POST ${root}/studies[/{study}]`, 'multipart/related; type="application/dicom" in; application/dicom+json out'],
    ['WADO-URI', 'Retrieve (§9)', 'GET /wado?requestType=WADO&studyUID=&seriesUID=&objectUID=', 'application/dicom'],
    ['Rendered, thumbnail, bulk data, UPS-RS', '—', 'not offered (404)', '—'],
  ],
)}

### 6.2 QIDO-RS

The query parameters become the identifier of a C-FIND of the Study Root model at the
resource's level (relational: keys of the levels above match too) and are matched by the same
code as the C-FIND SCP (2.2.4): single value, list of UIDs (comma separated), wild card, range
and empty value matching; Person Names regardless of case when \`caseInsensitivePN\` is on.
Attributes are named by keyword or tag; matching within sequences is not offered (400).
\`limit\` and \`offset\` page the matches (at most ${QIDO_MAX_LIMIT} per request: an answer cut
there carries Warning 299); \`includefield\` adds return attributes (\`all\`: every attribute
the cache keeps at that level); \`fuzzymatching\` is accepted and ignored. Every match carries the
default return attributes of its level (and of the levels above for /series and /instances),
the attributes asked for (empty when the cache does not keep them) and Retrieve URL (0008,1190)
for studies and series. No match is 200 with an empty array.

${table(
  ['Level', 'Matching keys the cache keeps', 'Default return attributes'],
  LEVELS.map(([level, name]) => [name, qidoMatchingKeys(level).join(', '), QIDO_DEFAULT_KEYS[level].join(', ')]),
)}

### 6.3 WADO-RS

Each part is the stored PS3.10 file, streamed from the disk file after file (a study is never
held in memory), with its transfer syntax in the part's Content-Type. Without a transfer-syntax parameter, or
with \`*\`, each instance comes as stored; a request naming another transfer syntax gets the
instances converted into it where the outgoing conversions of 2.2.7 can (the stored files
untouched), else 406 with the instance that cannot be. Unknown UIDs are 404,
UIDs that are not UIDs 400, before any file is read.

### 6.4 STOW-RS

Each application/dicom part is streamed into the cache's store path with the checks of the
Storage SCP (2.2.3): the room within \`quotaBytes\` and \`minFreeBytes\` (least recently used
studies evicted first), the UIDs, a study other than the one the path names. The answer is the
Store Instances Response Module: 200 when every instance was stored, 202 when some were, 409
when none was, each refused instance in the Failed SOP Sequence (0008,1198) with its Failure
Reason (0008,1197) and the first reason in words in a \`Warning: 299\` header; the stored ones in
the Referenced SOP Sequence (0008,1199) with their Retrieve URL. The instances are recorded with
the source AE title \`${STOW_SOURCE_AE_TITLE}\` in the cache and the audit trail.

${table(
  ['Failure Reason', 'When'],
  STOW_FAILURE_REASONS.map(([status, when]) => [formatStatus(status), when]),
)}

415 for a body that is not multipart/related; type="application/dicom" (the JSON and XML
metadata forms are not offered), 400 for a broken multipart body.
`;
}
