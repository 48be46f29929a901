/**
 * Minimal types for the parts of dcmjs this repository uses (dcmjs ships no declarations).
 * Only the data dictionary subpath export (`dcmjs/dictionary`) is typed.
 */
declare module 'dcmjs/dictionary' {
  /** One entry of the DICOM data dictionary as dcmjs packs it. */
  export interface DcmjsDictionaryEntry {
    /** `(gggg,eeee)`, or a range such as `(6000-60FF,0010)`, or a private `(gggg,"CREATOR",ee)`. */
    tag: string;
    /** A VR, or one of dcmjs's compound forms: `ox` (OB or OW), `xs` (US or SS), `lt` (US or OW), `up` (UL offset), `na` (items). */
    vr?: string;
    /** The keyword; retired attributes carry a `RETIRED_` prefix. */
    name?: string;
    vm?: string;
    /** `DICOM`, `DICOM/retired` or `PrivateTag`. */
    version?: string;
  }
  const dictionary: Record<string, DcmjsDictionaryEntry>;
  export default dictionary;
}
