/**
 * `--output json`: the report written in pieces, the same bytes as `JSON.stringify(document, null, 2)`
 * followed by a newline. A mirror run of 100k tags has 100k items; one string of the whole document (and
 * its copy as a Buffer on the way to stdout) was the run's peak of memory.
 */
import type { ReportDocument, ReportItem } from './report.js';

/** Items per piece: about 20 KB of text each. */
const ITEMS_PER_PIECE = 100;

/**
 * The document's text, piece by piece; `itemText` turns an item into what is written for it (the
 * redactor's masked copy), one at a time, so no second array of items is made.
 */
export function* jsonReportPieces(
  document: ReportDocument,
  itemText: (item: ReportItem) => ReportItem = (item) => item,
): Generator<string> {
  const entries = Object.entries(document).filter(([, value]) => value !== undefined);
  let piece = '{';
  for (const [index, [key, value]] of entries.entries()) {
    piece += `${index === 0 ? '' : ','}\n  ${JSON.stringify(key)}: `;
    if (key !== 'items' || document.items.length === 0) {
      piece += indent(JSON.stringify(key === 'items' ? [] : value, null, 2));
      continue;
    }
    piece += '[';
    for (const [i, item] of document.items.entries()) {
      piece += `${i === 0 ? '' : ','}\n    ${indent(indent(JSON.stringify(itemText(item), null, 2)))}`;
      if ((i + 1) % ITEMS_PER_PIECE === 0) {
        yield piece;
        piece = '';
      }
    }
    piece += '\n  ]';
  }
  yield `${piece}\n}\n`;
}

/** Every line after the first one level (two spaces) deeper. */
function indent(text: string): string {
  return text.replaceAll('\n', '\n  ');
}
