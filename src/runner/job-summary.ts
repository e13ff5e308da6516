import { accessSync, appendFileSync, constants, writeFileSync } from 'node:fs';
import { EOL } from 'node:os';

/** A cell of a summary table: text, or a header cell or one that spans. */
export type SummaryTableCell = string | { data: string; header?: boolean; colspan?: string; rowspan?: string };

/** `<tag attrs>content</tag>`, or the tag alone when there is no content. */
function wrap(tag: string, content: string | null, attrs: Record<string, string | undefined> = {}): string {
  const html = Object.entries(attrs)
    .filter(([, v]) => v)
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
  return content ? `<${tag}${html}>${content}</${tag}>` : `<${tag}${html}>`;
}

/**
 * The job summary (GITHUB_STEP_SUMMARY): HTML built up, then written at once. The same markup as
 * @actions/core's summary for the same calls. Text is put in as given: callers escape it.
 */
class JobSummary {
  private buffer = '';

  addRaw(text: string, addEOL = false): this {
    this.buffer += text;
    return addEOL ? this.addEOL() : this;
  }
  addEOL(): this {
    return this.addRaw(EOL);
  }
  addHeading(text: string, level: number | string = 1): this {
    const tag = ['1', '2', '3', '4', '5', '6'].includes(String(level)) ? `h${level}` : 'h1';
    return this.addRaw(wrap(tag, text)).addEOL();
  }
  addTable(rows: SummaryTableCell[][]): this {
    const body = rows
      .map((row) =>
        wrap(
          'tr',
          row
            .map((c) =>
              typeof c === 'string' ? wrap('td', c) : wrap(c.header ? 'th' : 'td', c.data, { colspan: c.colspan, rowspan: c.rowspan }),
            )
            .join(''),
        ),
      )
      .join('');
    return this.addRaw(wrap('table', body)).addEOL();
  }
  addDetails(label: string, content: string): this {
    return this.addRaw(wrap('details', wrap('summary', label) + content)).addEOL();
  }
  addList(items: string[], ordered = false): this {
    return this.addRaw(wrap(ordered ? 'ol' : 'ul', items.map((i) => wrap('li', i)).join(''))).addEOL();
  }
  addCodeBlock(code: string, lang?: string): this {
    return this.addRaw(wrap('pre', wrap('code', code), { lang })).addEOL();
  }
  addLink(text: string, href: string): this {
    return this.addRaw(wrap('a', text, { href })).addEOL();
  }
  stringify(): string {
    return this.buffer;
  }
  emptyBuffer(): this {
    this.buffer = '';
    return this;
  }

  /** Appends what was built (or replaces the file with it) and starts afresh. */
  async write(options: { overwrite?: boolean } = {}): Promise<this> {
    const file = process.env.GITHUB_STEP_SUMMARY;
    if (!file) {
      throw new Error(
        'Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.',
      );
    }
    try {
      accessSync(file, constants.R_OK | constants.W_OK);
    } catch {
      throw new Error(`Unable to access summary file: '${file}'. Check if the file has correct read/write permissions.`);
    }
    (options.overwrite ? writeFileSync : appendFileSync)(file, this.buffer, { encoding: 'utf8' });
    return this.emptyBuffer();
  }
}

export const summary = new JobSummary();
