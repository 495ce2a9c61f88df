// The cache lock's holder file, as the lock reads and judges it. Re-point here when it moves.
export { HOLDER_NAME, holderIsDead, readHolder, sameHolder } from '../../src/artifacts/lock-holder.js';
