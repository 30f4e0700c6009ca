// The composer's rich-text editor (see rich_editor.js): Squire over the message area, with
// the few operations the composer needs, and the text/plain alternative written from its
// blocks. Bundled by tools/web-dist.mjs with its npm dependencies (tools/package.json).
import Squire from 'squire-rte';
import DOMPurify from 'dompurify';

// Everything that enters the editor (a draft, a paste, a drop) is cleaned first.
const clean = (html) => document.importNode(DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true }), true);

// The toolbar's formats: the tag that shows it is on, then how to add and remove it.
const FORMATS = {
  bold: ['B', 'bold', 'removeBold'],
  italic: ['I', 'italic', 'removeItalic'],
  underline: ['U', 'underline', 'removeUnderline'],
  list: ['UL', 'makeUnorderedList', 'removeList'],
};

const BLOCK = /^(?:ADDRESS|BLOCKQUOTE|DD|DIV|DL|DT|H[1-6]|LI|OL|P|PRE|TABLE|TR|UL)$/;

// Lines as editor blocks: one <div> per line, an empty line as <div><br></div>.
function blocks(text) {
  const fragment = document.createDocumentFragment();
  if (!text) return fragment;
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const div = document.createElement('div');
    if (line) div.textContent = line;
    else div.append(document.createElement('br'));
    fragment.append(div);
  }
  return fragment;
}

// A signature the composer can find again to replace it: <div data-signature>.
function signatureBlock(text) {
  const div = document.createElement('div');
  div.dataset.signature = '';
  div.append(blocks(text));
  return div;
}

// The message as plain text: a line per block, <br> as a line break, list items as "- …",
// and a link's address after its text when the text does not already say it.
function plainText(root) {
  let out = '';
  const endLine = () => {
    if (out && !out.endsWith('\n')) out += '\n';
  };
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        out += child.data.replace(/\u200B/g, '');
      } else if (child.nodeName === 'BR') {
        out += '\n';
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        const block = BLOCK.test(child.nodeName);
        if (block) endLine();
        if (child.nodeName === 'LI') out += '- ';
        walk(child);
        const href = child.nodeName === 'A' ? child.getAttribute('href') : null;
        const said = child.textContent.trim();
        if (href && href !== said && href !== `mailto:${said}`) out += ` <${href}>`;
        if (block) endLine();
      }
    }
  };
  walk(root);
  return out.replace(/\s+$/, '');
}

export class RichEditor {
  // `onInput()` hears every edit (undo and redo included); `onFormats(active())` hears
  // the toolbar formats in force wherever the selection moves.
  constructor(root, onInput, onFormats) {
    // Whatever the area held before the editor arrived (a draft, early typing) stays.
    const before = root.innerHTML;
    this.squire = new Squire(root, { sanitizeToDOMFragment: clean });
    this.squire.setHTML(before);
    this.squire.addEventListener('input', onInput);
    this.report = () => onFormats(this.active());
    for (const event of ['pathChange', 'cursor', 'select']) this.squire.addEventListener(event, this.report);
  }

  // The toolbar formats in force at the selection, space-separated ("bold list").
  active() {
    return Object.keys(FORMATS).filter((format) => this.squire.hasFormat(FORMATS[format][0])).join(' ');
  }

  // Turns a format on for the selection, or off where it is already on.
  toggle(format) {
    const [tag, add, remove] = FORMATS[format];
    if (this.squire.hasFormat(tag)) this.squire[remove]();
    else this.squire[add]();
    this.report();
  }

  // Links the selection (Squire restores the one held before a dialog took the focus);
  // with nothing selected, the address itself is inserted as the link.
  link(url) {
    this.squire.focus();
    this.squire.makeLink(url);
  }

  html() {
    return this.squire.getHTML();
  }

  text() {
    return plainText(this.squire.getRoot());
  }

  // Plain text as the editor's content; `signature` (when found in it) becomes the
  // replaceable signature block.
  setText(text, signature) {
    const at = signature ? text.indexOf(signature) : -1;
    const fragment = document.createDocumentFragment();
    if (at < 0) {
      fragment.append(blocks(text));
    } else {
      fragment.append(blocks(text.slice(0, at)), signatureBlock(signature), blocks(text.slice(at + signature.length)));
    }
    const holder = document.createElement('div');
    holder.append(fragment);
    this.squire.setHTML(holder.innerHTML);
  }

  // Replaces the signature block with `text` (none: removes it). Without one yet, the
  // signature goes above the block that reads `before` (a reply's "… wrote:" line), or at
  // the end.
  setSignature(text, before) {
    const root = this.squire.getRoot();
    const old = root.querySelector('[data-signature]');
    this.squire.saveUndoState();
    if (!text) {
      old?.remove();
    } else if (old) {
      old.replaceWith(signatureBlock(text));
    } else {
      const quote = before ? [...root.children].find((block) => block.textContent === before) : undefined;
      if (quote) quote.before(signatureBlock(text), blocks('\n'));
      else root.append(signatureBlock(text));
    }
  }

  destroy() {
    this.squire.destroy();
  }
}
