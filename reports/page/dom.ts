/**
 * Building page elements: every string reaches the page as a text node or an attribute value,
 * never through HTML parsing (the one exception, the report body, is rendered by `html.ts`
 * with every string escaped, exactly as the CLI writes it).
 */

type Child = Node | string | null | undefined | false;

/** `h("button", {class: "x"}, "label")`: an element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | undefined>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) element.setAttribute(name, value);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

/**
 * A `<select>` of `values`, the first selected unless `selected` names another; `label` is its
 * name for a screen reader (the words beside it on the page are not tied to it).
 */
export function select(
  id: string,
  label: string,
  values: readonly string[],
  selected?: string,
): HTMLSelectElement {
  const element = h("select", { id, "aria-label": label });
  for (const value of values) {
    const option = h("option", { value }, value);
    if (value === selected) option.selected = true;
    element.appendChild(option);
  }
  return element;
}
