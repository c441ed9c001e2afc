import fs from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';

/** A picture placed by the layout, with an optional outlined region (in the picture's own pixels). */
export interface ImageCell {
  /** JPEG or PNG bytes (pdfkit reads nothing else). */
  data: Buffer;
  width: number;
  height: number;
  caption: string[];
  outline?: { x: number; y: number; width: number; height: number; label?: string };
}

/** The content of a document, top to bottom; the layout engine places it on A4 pages. */
export type Block =
  | { type: 'title'; text: string; subtitle?: string }
  | { type: 'heading'; text: string }
  | { type: 'paragraph'; text: string; indent?: boolean }
  | { type: 'note'; text: string }
  | { type: 'fields'; rows: { label: string; value: string }[] }
  | { type: 'list'; items: string[] }
  | { type: 'table'; columns: { header: string; width: number }[]; rows: string[][] }
  | { type: 'signature'; lines: { label: string; value: string }[] }
  | { type: 'images'; columns: number; maxHeight: number; items: ImageCell[] }
  | { type: 'spacer'; height: number }
  | { type: 'pageBreak' };

export interface DocumentModel {
  /** PDF title (document info) and what the preview lists. */
  title: string;
  lang: 'zh' | 'en';
  blocks: Block[];
}

export interface RenderContext {
  bundleId: string;
  /** ISO time; the footer shows its date. */
  generatedAt: string;
  resourcesDir: string;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = { top: 56, left: 56, right: 56, bottom: 64 };
const BODY = 10.5;
const INK = '#1f2328';
const MUTED = '#5b636d';
const RULE = '#9aa3ad';
const FILL = '#f1f3f5';
const ACCENT = '#c0392b';

/**
 * The CJK fonts, read once per process (17 MB each; pdfkit embeds only the glyphs used). pdfkit
 * accepts a parsed font object as well as bytes: the one it parsed first is kept and reused, which
 * makes every later document several times faster (the big CFF tables are parsed lazily, once).
 */
const fontCache = new Map<string, unknown>();
function fontSource(resourcesDir: string, file: string): Buffer {
  const key = path.join(resourcesDir, 'fonts', file);
  let src = fontCache.get(key);
  if (!src) {
    src = fs.readFileSync(key);
    fontCache.set(key, src);
  }
  return src as Buffer;
}
function keepParsedFont(doc: PDFKit.PDFDocument, resourcesDir: string, file: string): void {
  const parsed = (doc as unknown as { _font?: { font?: { layout?: unknown } } })._font?.font;
  if (parsed && typeof parsed.layout === 'function') fontCache.set(path.join(resourcesDir, 'fonts', file), parsed);
}

const FOOTER = {
  zh: (page: number, total: number, date: string, id: string) => ({ left: `ProofMark · 文件包编号 ${id}`, centre: `生成日期 ${date}`, right: `第 ${page} 页 / 共 ${total} 页` }),
  en: (page: number, total: number, date: string, id: string) => ({ left: `ProofMark · Bundle ${id}`, centre: `Generated ${date}`, right: `Page ${page} of ${total}` }),
};

/** Renders a document model to PDF bytes: A4, embedded subset CJK font, footer on every page. */
export function renderPdf(model: DocumentModel, ctx: RenderContext): Promise<Buffer> {
  const doc = new PDFDocument({
    size: A4,
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    info: { Title: model.title, Author: 'ProofMark', Subject: `${model.title} (${ctx.bundleId})`, Creator: 'ProofMark', CreationDate: new Date(ctx.generatedAt) },
    lang: model.lang === 'zh' ? 'zh-CN' : 'en',
    displayTitle: true,
  });
  doc.registerFont('R', fontSource(ctx.resourcesDir, 'SourceHanSansSC-Regular.otf'));
  doc.registerFont('B', fontSource(ctx.resourcesDir, 'SourceHanSansSC-Bold.otf'));
  doc.font('B');
  keepParsedFont(doc, ctx.resourcesDir, 'SourceHanSansSC-Bold.otf');
  doc.font('R');
  keepParsedFont(doc, ctx.resourcesDir, 'SourceHanSansSC-Regular.otf');
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const layout = new Layout(doc);
  for (const block of model.blocks) layout.place(block);
  drawFooters(doc, model.lang, ctx);
  doc.end();
  return done;
}

function drawFooters(doc: PDFKit.PDFDocument, lang: 'zh' | 'en', ctx: RenderContext) {
  const range = doc.bufferedPageRange();
  const date = ctx.generatedAt.slice(0, 10);
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const f = FOOTER[lang](i + 1, range.count, date, ctx.bundleId);
    // Writing inside the bottom margin must not start a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = A4[1] - 40;
    const width = A4[0] - MARGIN.left - MARGIN.right;
    doc.save().moveTo(MARGIN.left, y - 8).lineTo(A4[0] - MARGIN.right, y - 8).lineWidth(0.5).strokeColor(RULE).stroke().restore();
    doc.font('R').fontSize(8).fillColor(MUTED);
    doc.text(f.left, MARGIN.left, y, { width, align: 'left', lineBreak: false });
    doc.text(f.centre, MARGIN.left, y, { width, align: 'center', lineBreak: false });
    doc.text(f.right, MARGIN.left, y, { width, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}

class Layout {
  private readonly doc: PDFKit.PDFDocument;
  private readonly left = MARGIN.left;
  private readonly width = A4[0] - MARGIN.left - MARGIN.right;
  private readonly bottom = A4[1] - MARGIN.bottom;
  private y = MARGIN.top;
  private fresh = true;

  constructor(doc: PDFKit.PDFDocument) {
    this.doc = doc;
  }

  place(block: Block): void {
    switch (block.type) {
      case 'title': return this.title(block.text, block.subtitle);
      case 'heading': return this.heading(block.text);
      case 'paragraph': return this.paragraph(block.text, { indent: block.indent });
      case 'note': return this.paragraph(block.text, { size: 8.5, colour: MUTED });
      case 'fields': return this.fields(block.rows);
      case 'list': return this.list(block.items);
      case 'table': return this.table(block.columns, block.rows);
      case 'signature': return this.signature(block.lines);
      case 'images': return this.images(block);
      case 'spacer': this.y += block.height; return;
      case 'pageBreak': if (!this.fresh) this.newPage(); return;
    }
  }

  private newPage() {
    this.doc.addPage();
    this.y = MARGIN.top;
    this.fresh = true;
  }

  /** Start a new page unless `height` still fits on this one. */
  private ensure(height: number) {
    if (this.y + height > this.bottom && !this.fresh) this.newPage();
  }

  private textHeight(text: string, font: 'R' | 'B', size: number, width: number, lineGap = 2.5): number {
    return this.doc.font(font).fontSize(size).heightOfString(text || ' ', { width, lineGap });
  }

  private write(text: string, x: number, y: number, width: number, opts: { font?: 'R' | 'B'; size?: number; colour?: string; align?: 'left' | 'center' | 'right' | 'justify'; lineGap?: number; indent?: number } = {}) {
    this.doc.font(opts.font ?? 'R').fontSize(opts.size ?? BODY).fillColor(opts.colour ?? INK)
      .text(text, x, y, { width, align: opts.align ?? 'left', lineGap: opts.lineGap ?? 2.5, indent: opts.indent ?? 0 });
  }

  private title(text: string, subtitle?: string) {
    const h = this.textHeight(text, 'B', 18, this.width) + (subtitle ? this.textHeight(subtitle, 'R', 10, this.width) + 4 : 0);
    this.ensure(h + 24);
    this.write(text, this.left, this.y, this.width, { font: 'B', size: 18, align: 'center' });
    this.y += this.textHeight(text, 'B', 18, this.width) + 4;
    if (subtitle) {
      this.write(subtitle, this.left, this.y, this.width, { size: 10, colour: MUTED, align: 'center' });
      this.y += this.textHeight(subtitle, 'R', 10, this.width);
    }
    this.y += 14;
    this.fresh = false;
  }

  private heading(text: string) {
    const h = this.textHeight(text, 'B', 12.5, this.width);
    // Keep a heading with at least a few lines of what follows it.
    this.ensure(h + 60);
    this.y += this.fresh ? 0 : 8;
    this.write(text, this.left, this.y, this.width, { font: 'B', size: 12.5 });
    this.y += h + 3;
    this.doc.save().moveTo(this.left, this.y).lineTo(this.left + this.width, this.y).lineWidth(0.75).strokeColor(RULE).stroke().restore();
    this.y += 7;
    this.fresh = false;
  }

  private paragraph(text: string, opts: { indent?: boolean | undefined; size?: number; colour?: string }) {
    const size = opts.size ?? BODY;
    // Paragraph by paragraph, so a long text flows across pages.
    for (const para of text.split(/\n/)) {
      const indent = opts.indent ? size * 2 : 0;
      const h = this.doc.font('R').fontSize(size).heightOfString(para || ' ', { width: this.width, lineGap: 2.5, indent });
      if (this.y + h > this.bottom) {
        // Too long for the rest of this page: let pdfkit flow it onto the next ones.
        if (this.y + 3 * size > this.bottom) this.newPage();
        this.write(para, this.left, this.y, this.width, { size, colour: opts.colour ?? INK, align: 'left', indent });
        this.y = this.doc.y;
      } else {
        this.write(para, this.left, this.y, this.width, { size, colour: opts.colour ?? INK, align: 'left', indent });
        this.y += h;
      }
      this.y += 4;
      this.fresh = false;
    }
    this.y += 2;
  }

  private fields(rows: { label: string; value: string }[]) {
    const labelW = Math.round(this.width * 0.3);
    const valueW = this.width - labelW;
    const pad = 5;
    for (const row of rows) {
      const lh = this.textHeight(row.label, 'B', 9.5, labelW - 2 * pad);
      const vh = this.textHeight(row.value, 'R', BODY, valueW - 2 * pad);
      const h = Math.max(lh, vh) + 2 * pad;
      this.ensure(h);
      const d = this.doc;
      d.save().rect(this.left, this.y, labelW, h).fill(FILL).restore();
      d.save().rect(this.left, this.y, this.width, h).moveTo(this.left + labelW, this.y).lineTo(this.left + labelW, this.y + h).lineWidth(0.6).strokeColor(RULE).stroke().restore();
      this.write(row.label, this.left + pad, this.y + pad + 0.5, labelW - 2 * pad, { font: 'B', size: 9.5, colour: '#343a40' });
      this.write(row.value, this.left + labelW + pad, this.y + pad, valueW - 2 * pad);
      this.y += h;
      this.fresh = false;
    }
    this.y += 10;
  }

  private list(items: string[]) {
    const numW = 22;
    items.forEach((item, i) => {
      const h = this.textHeight(item, 'R', BODY, this.width - numW);
      this.ensure(h);
      this.write(`${i + 1}.`, this.left, this.y, numW, { colour: MUTED });
      this.write(item, this.left + numW, this.y, this.width - numW);
      this.y += h + 4;
      this.fresh = false;
    });
    this.y += 4;
  }

  private table(columns: { header: string; width: number }[], rows: string[][]) {
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const pad = 4;
    const size = 8.5;
    const rowHeight = (cells: string[], font: 'R' | 'B') => Math.max(...cells.map((c, i) => this.textHeight(c, font, size, widths[i]! - 2 * pad, 1.5))) + 2 * pad;
    const drawRow = (cells: string[], font: 'R' | 'B', fill: string | null) => {
      const h = rowHeight(cells, font);
      let x = this.left;
      if (fill) this.doc.save().rect(this.left, this.y, this.width, h).fill(fill).restore();
      cells.forEach((c, i) => {
        this.write(c, x + pad, this.y + pad, widths[i]! - 2 * pad, { font, size, lineGap: 1.5 });
        x += widths[i]!;
      });
      this.doc.save().moveTo(this.left, this.y + h).lineTo(this.left + this.width, this.y + h).lineWidth(0.4).strokeColor(RULE).stroke().restore();
      this.y += h;
    };
    const header = columns.map((c) => c.header);
    this.ensure(rowHeight(header, 'B') + (rows[0] ? rowHeight(rows[0], 'R') : 0));
    drawRow(header, 'B', FILL);
    for (const r of rows) {
      if (this.y + rowHeight(r, 'R') > this.bottom) {
        this.newPage();
        drawRow(header, 'B', FILL);
      }
      drawRow(r, 'R', null);
    }
    this.fresh = false;
    this.y += 10;
  }

  private signature(lines: { label: string; value: string }[]) {
    const rowH = 30;
    this.ensure(lines.length * rowH + 10);
    this.y += 8;
    const labelW = Math.round(this.width * 0.42);
    const lineX = this.left + labelW + 4;
    const lineEnd = this.left + this.width;
    for (const l of lines) {
      this.write(l.label, this.left, this.y + 10, labelW, { align: 'right' });
      if (l.value) this.write(l.value, lineX + 4, this.y + 10, lineEnd - lineX - 4);
      this.doc.save().moveTo(lineX, this.y + 26).lineTo(lineEnd, this.y + 26).lineWidth(0.6).strokeColor(INK).stroke().restore();
      this.y += rowH;
    }
    this.y += 10;
    this.fresh = false;
  }

  private images(block: { columns: number; maxHeight: number; items: ImageCell[] }) {
    const gap = 12;
    const cellW = (this.width - gap * (block.columns - 1)) / block.columns;
    for (let start = 0; start < block.items.length; start += block.columns) {
      const row = block.items.slice(start, start + block.columns);
      const scaled = row.map((c) => {
        const s = Math.min(cellW / c.width, block.maxHeight / c.height);
        return { cell: c, w: c.width * s, h: c.height * s, s };
      });
      const imgH = Math.max(...scaled.map((r) => r.h));
      const capH = Math.max(...row.map((c) => this.textHeight(c.caption.join('\n'), 'R', 8, cellW, 1.5)));
      this.ensure(imgH + capH + 14);
      scaled.forEach((r, i) => {
        const x = this.left + i * (cellW + gap) + (cellW - r.w) / 2;
        const y = this.y + (imgH - r.h) / 2;
        this.doc.image(r.cell.data, x, y, { width: r.w, height: r.h });
        this.doc.save().rect(x, y, r.w, r.h).lineWidth(0.4).strokeColor(RULE).stroke().restore();
        const o = r.cell.outline;
        if (o) {
          const ox = x + o.x * r.s;
          const oy = y + o.y * r.s;
          this.doc.save().rect(ox, oy, o.width * r.s, o.height * r.s).lineWidth(1.6).strokeColor(ACCENT).dash(4, { space: 2 }).stroke().restore();
          if (o.label) this.write(o.label, ox + 2, Math.max(y, oy - 11), Math.max(60, o.width * r.s), { size: 7.5, colour: ACCENT });
        }
        this.write(r.cell.caption.join('\n'), this.left + i * (cellW + gap), this.y + imgH + 4, cellW, { size: 8, colour: MUTED, align: 'center', lineGap: 1.5 });
      });
      this.y += imgH + capH + 14;
      this.fresh = false;
    }
  }
}
