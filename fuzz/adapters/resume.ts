// Content-Range and the If-Range validator of a resumed download (openArchive). Re-point here when
// the download functions move.
export { parseContentRange } from '../../src/artifacts/resume.js';
export { validatorOf } from '../../src/artifacts/partial.js';
