/**
 * Splits one fuzzer input into the several values a structured case needs (arguments, file contents,
 * choices). Not a mutator: libFuzzer mutates the bytes; this only reads them, deterministically, so
 * a saved input replays to the same case.
 */
export class ByteReader {
  private at = 0;

  constructor(private readonly data: Buffer) {}

  get left(): number {
    return this.data.length - this.at;
  }

  /** One byte (0 once the input is used up). */
  byte(): number {
    return this.at < this.data.length ? (this.data[this.at++] as number) : 0;
  }

  /** A number in [0, n). */
  pick(n: number): number {
    return this.byte() % n;
  }

  bool(): boolean {
    return (this.byte() & 1) === 1;
  }

  /** Bytes up to the next 0xff separator (or the end), at most `max`. */
  chunk(max = 4096): Buffer {
    const end = this.data.indexOf(0xff, this.at);
    const stop = Math.min(end === -1 ? this.data.length : end, this.at + max);
    const out = this.data.subarray(this.at, stop);
    this.at = stop < this.data.length && this.data[stop] === 0xff ? stop + 1 : stop;
    return out;
  }

  /** A chunk as Latin-1 text: every byte one character, so no byte is lost to UTF-8 decoding. */
  text(max = 4096): string {
    return this.chunk(max).toString('latin1');
  }
}
