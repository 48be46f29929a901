// The PACS of the reading-room e2e tests (issue 18): a real Orthanc on loopback that knows Priors'
// AE title (for C-MOVE), holding one patient with a current CT of the chest (three series, stored
// as series 1, 3, 2 so the archive answers them out of order), a CT of the abdomen of the day
// before (another body part), and a CT of the chest of 2023 (the relevant prior), and three other
// patients (one of them RLE-compressed, for C-GET). Small images: the tests are about the UI.
import { compressedCopies, generateCtSeries, type GeneratedSeries } from './data.js';
import { dicomDay } from './e2e-pacs.js';
import { loadIntoOrthanc, startOrthanc, type OrthancPeer } from './peers.js';
import { tempDir } from './tmp.js';

/** What the fixture holds. */
export interface ReadingRoomPacs {
  orthanc: OrthancPeer;
  /** The current study's three series, by Series Number. */
  current: { StudyInstanceUID: string; series: GeneratedSeries[] };
  abdomen: GeneratedSeries;
  chest2023: GeneratedSeries;
  others: GeneratedSeries[];
  rle: { StudyInstanceUID: string; files: string[] };
}

const small = { rows: 64, cols: 64 };
const doe = { patientName: 'DOE^JANE', patientId: 'RR-DOE', birthDate: '19700101', sex: 'F' as const };

/** Starts Orthanc (AE ORTHANC) that sends C-MOVEs for `priors` to 127.0.0.1:`priorsPort`, loaded with the patients. */
export async function startReadingRoomPacs(o: { priorsAeTitle: string; priorsPort: number }): Promise<ReadingRoomPacs> {
  const today = dicomDay(0);
  const first = await generateCtSeries({
    ...small,
    ...doe,
    count: 12,
    studyDate: today,
    studyDescription: 'CT CHEST TODAY',
    accession: 'RR-A1',
    seriesNumber: 1,
    seriesDescription: 'AXIAL 1.25mm',
    seed: 41,
  });
  const series = [first];
  for (const [n, description] of [
    [2, 'CORONAL MPR'],
    [3, 'LUNG 1.25mm'],
  ] as const) {
    series.push(
      await generateCtSeries({
        ...small,
        ...doe,
        count: 4,
        studyDate: today,
        studyDescription: 'CT CHEST TODAY',
        accession: 'RR-A1',
        seriesNumber: n,
        seriesDescription: description,
        studyInstanceUid: first.StudyInstanceUID,
        seed: 41 + n,
      }),
    );
  }
  const abdomen = await generateCtSeries({
    ...small,
    ...doe,
    count: 6,
    sliceThickness: 5,
    studyDate: dicomDay(-1),
    studyDescription: 'CT ABDOMEN',
    bodyPart: 'ABDOMEN',
    accession: 'RR-A2',
    seed: 44,
  });
  const chest2023 = await generateCtSeries({
    ...small,
    ...doe,
    count: 8,
    sliceThickness: 2.5,
    studyDate: '20230601',
    studyDescription: 'CT CHEST 2023',
    accession: 'RR-A3',
    seed: 45,
  });
  const others = [
    await generateCtSeries({
      ...small,
      count: 5,
      patientName: 'MÜLLER^JÜRGEN',
      patientId: 'RR-MUE',
      charset: 'ISO_IR 192',
      studyDate: '20230510',
      studyDescription: 'CT HEAD',
      bodyPart: 'HEAD',
      seed: 46,
    }),
    await generateCtSeries({
      ...small,
      count: 4,
      patientName: 'SMITH^SAM',
      patientId: 'RR-SMI',
      modality: 'MR',
      studyDate: '20240202',
      studyDescription: 'MR KNEE',
      bodyPart: 'KNEE',
      seed: 47,
    }),
  ];
  const plain = await generateCtSeries({
    ...small,
    count: 6,
    patientName: 'RLE^ROBIN',
    patientId: 'RR-RLE',
    studyDate: '20220101',
    studyDescription: 'CT RLE',
    seed: 48,
  });
  const rle = (await compressedCopies(plain.dir, ['rle'])).rle;
  if (!rle) throw new Error('dcmcrle is missing: cannot make the RLE series');
  const orthanc = await startOrthanc({ dir: tempDir('rr-orthanc'), modalities: { priors: [o.priorsAeTitle, '127.0.0.1', o.priorsPort] } });
  // one series after the other, 1, 3, 2: the archive answers a SERIES-level C-FIND in the order it stored them
  for (const s of [series[0]!, series[2]!, series[1]!]) await loadIntoOrthanc(orthanc, s.files, 1);
  await loadIntoOrthanc(orthanc, [...abdomen.files, ...chest2023.files, ...others.flatMap((s) => s.files), ...rle.files]);
  return {
    orthanc,
    current: { StudyInstanceUID: first.StudyInstanceUID, series },
    abdomen,
    chest2023,
    others,
    rle: { StudyInstanceUID: plain.StudyInstanceUID, files: rle.files },
  };
}
