// Local lint rules. `no-literal-ui-strings` keeps every user-visible word in the
// i18n catalogs: JSX text with letters, and string literals given to the
// attributes a person reads or hears (aria-label, title, alt, placeholder, ...).
const VISIBLE_ATTRS = new Set([
  'aria-label',
  'aria-description',
  'aria-valuetext',
  'aria-roledescription',
  'title',
  'alt',
  'placeholder',
  'label',
]);
const HAS_LETTER = /\p{L}/u;

/** @type {import('eslint').Rule.RuleModule} */
const noLiteralUiStrings = {
  meta: {
    type: 'problem',
    docs: { description: 'User-visible text must come from the i18n catalogs (t("...")).' },
    schema: [],
    messages: {
      text: 'User-visible text "{{text}}" must come from the i18n catalogs: use t("...").',
    },
  },
  create(context) {
    const report = (node, text) =>
      context.report({ node, messageId: 'text', data: { text: text.trim().slice(0, 40) } });
    return {
      JSXText(node) {
        if (HAS_LETTER.test(node.value)) report(node, node.value);
      },
      JSXAttribute(node) {
        const name = typeof node.name.name === 'string' ? node.name.name : '';
        if (!VISIBLE_ATTRS.has(name) || !node.value) return;
        const v = node.value;
        if (v.type === 'Literal' && typeof v.value === 'string' && HAS_LETTER.test(v.value)) {
          report(v, v.value);
        } else if (
          v.type === 'JSXExpressionContainer' &&
          v.expression.type === 'Literal' &&
          typeof v.expression.value === 'string' &&
          HAS_LETTER.test(v.expression.value)
        ) {
          report(v, v.expression.value);
        }
      },
      'JSXExpressionContainer > Literal'(node) {
        if (node.parent.parent?.type === 'JSXAttribute') return;
        if (typeof node.value === 'string' && HAS_LETTER.test(node.value)) report(node, node.value);
      },
    };
  },
};

export default { rules: { 'no-literal-ui-strings': noLiteralUiStrings } };
