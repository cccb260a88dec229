// A small Markdown renderer for the post-mortem draft (src/incidents/postmortem.ts): headings,
// paragraphs, block quotes, lists with checkboxes, fenced code, pipe tables, and `code`, **bold**
// and *italic* inline. Parsing is pure (tested under Node in test/ui/markdown.test.ts); rendering
// builds DOM nodes with text only, so no Markdown source can become markup.

const TABLE_RULE = /^\|[\s:|-]+\|$/;

/** Markdown text → blocks: {type: h|p|quote|ul|code|table, ...}. */
export function parseMarkdown(md) {
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  const blocks = [];
  let i = 0;
  const startsBlock = (line) => line.startsWith('```') || /^#{1,6} /.test(line) || line.startsWith('>') || /^\s*[-*] /.test(line) || line.startsWith('|');
  while (i < lines.length) {
    const line = lines[i];
    if (line.startsWith('```')) {
      const body = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
      i++; // the closing fence (or the end)
      blocks.push({ type: 'code', text: body.join('\n') });
    } else if (/^#{1,6} /.test(line)) {
      const [, hashes, text] = /^(#{1,6}) (.*)$/.exec(line);
      blocks.push({ type: 'h', level: hashes.length, text });
      i++;
    } else if (line.startsWith('>')) {
      const text = [];
      for (; i < lines.length && lines[i].startsWith('>'); i++) text.push(lines[i].replace(/^>\s?/, ''));
      blocks.push({ type: 'quote', text: text.join(' ') });
    } else if (/^\s*[-*] /.test(line)) {
      const items = [];
      for (; i < lines.length && /^\s*[-*] /.test(lines[i]); i++) {
        const text = lines[i].replace(/^\s*[-*] /, '');
        const box = /^\[( |x|X)\] (.*)$/.exec(text);
        items.push(box ? { checked: box[1] !== ' ', text: box[2] } : { text });
      }
      blocks.push({ type: 'ul', items });
    } else if (line.startsWith('|')) {
      const rows = [];
      for (; i < lines.length && lines[i].startsWith('|'); i++) if (!TABLE_RULE.test(lines[i].trim())) rows.push(cells(lines[i]));
      blocks.push({ type: 'table', header: rows[0] ?? [], rows: rows.slice(1) });
    } else if (line.trim() === '') {
      i++;
    } else {
      const text = [];
      for (; i < lines.length && lines[i].trim() !== '' && !startsBlock(lines[i]); i++) text.push(lines[i]);
      blocks.push({ type: 'p', text: text.join(' ') });
    }
  }
  return blocks;
}

/** `| a | b \| c |` → ['a', 'b | c']: pipes escaped with a backslash stay in the cell. */
function cells(row) {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replaceAll('\\|', '|'));
}

/** Inline text → tokens {type: text|code|strong|em, text}. */
export function parseInline(text) {
  const tokens = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*/g;
  let at = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > at) tokens.push({ type: 'text', text: text.slice(at, m.index) });
    if (m[1] !== undefined) tokens.push({ type: 'code', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ type: 'strong', text: m[2] });
    else tokens.push({ type: 'em', text: m[3] });
    at = m.index + m[0].length;
  }
  if (at < text.length) tokens.push({ type: 'text', text: text.slice(at) });
  return tokens;
}

const INLINE_TAGS = { code: 'code', strong: 'strong', em: 'em' };

/** Blocks → DOM nodes, built with `el` (text content only). */
export function renderMarkdown(blocks, el) {
  const inline = (text) => parseInline(text).map((t) => (t.type === 'text' ? t.text : el(INLINE_TAGS[t.type], { text: t.text })));
  return blocks.map((b) => {
    switch (b.type) {
      case 'h':
        return el(`h${Math.min(6, b.level + 1)}`, {}, ...inline(b.text)); // the page's own h1/h2 come first
      case 'quote':
        return el('blockquote', {}, ...inline(b.text));
      case 'ul':
        return el('ul', {}, ...b.items.map((item) => el('li', {}, item.checked === undefined ? '' : item.checked ? '☑ ' : '☐ ', ...inline(item.text))));
      case 'code':
        return el('pre', {}, el('code', { text: b.text }));
      case 'table':
        return el(
          'table',
          {},
          el('thead', {}, el('tr', {}, ...b.header.map((c) => el('th', {}, ...inline(c))))),
          el('tbody', {}, ...b.rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, ...inline(c)))))),
        );
      default:
        return el('p', {}, ...inline(b.text));
    }
  });
}
