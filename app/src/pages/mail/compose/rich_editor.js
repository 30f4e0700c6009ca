// The composer's rich text is edited with Squire (Fastmail's editor for e-mail, which formats
// through its own range code rather than the deprecated document.execCommand) and cleaned
// with DOMPurify. tools/web-dist.mjs bundles both, with rich_editor.lib.js, into a file of
// that name beside this one, fetched when a composer first opens rather than on every page.
let library;

// Resolves to a RichEditor (rich_editor.lib.js) on `root`, keeping what it already holds.
// A failed download is forgotten, so the next composer tries again.
export async function openRichEditor(root, onInput, onFormats) {
  library ??= import('./rich_editor.lib.js');
  try {
    const { RichEditor } = await library;
    return new RichEditor(root, onInput, onFormats);
  } catch (error) {
    library = undefined;
    throw error;
  }
}
