/**
 * One status line that redraws itself in place on a terminal (`\r`, erase, text cut to the width). Off a terminal
 * each update is a line of its own (`lines`, for logs) or nothing at all (`silent`).
 */
export class LiveLine {
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly offTerminal: 'lines' | 'silent',
  ) {}

  /** Whether updates redraw one line (a terminal) rather than print lines. */
  get live(): boolean {
    return Boolean(this.stream.isTTY);
  }

  draw(text: string): void {
    if (this.live) {
      const width = (this.stream.columns || 80) - 1;
      this.stream.write(`\r\u001b[2K${text.slice(0, width)}`);
      this.drawn = true;
    } else if (this.offTerminal === 'lines') {
      this.stream.write(`${text}\n`);
    }
  }

  /** Leaves the line drawn last on the screen; what is written next starts below it. */
  keep(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  /** Wipes the line drawn last, leaving the cursor at the start of its empty line. */
  clear(): void {
    if (this.drawn) this.stream.write('\r\u001b[2K');
    this.drawn = false;
  }
}
