/** Building SVG elements: attributes by `setAttribute`, text by `textContent`, never markup. */

const svgNamespace = "http://www.w3.org/2000/svg";

export type Attributes = Readonly<Record<string, string | number>>;

/** An SVG element with `attributes`, appended to `parent` when given. */
export function svgElement(name: string, attributes: Attributes, parent?: Element): SVGElement {
  const node = document.createElementNS(svgNamespace, name) as SVGElement;
  for (const key in attributes) node.setAttribute(key, String(attributes[key]));
  if (parent !== undefined) parent.appendChild(node);
  return node;
}

/** A `<text>` at (x, y) holding `value`. */
export function svgText(parent: Element, x: number, y: number, value: string, cls?: string): SVGElement {
  const node = svgElement("text", { x, y }, parent);
  if (cls !== undefined) node.setAttribute("class", cls);
  node.textContent = value;
  return node;
}

/** The index of the first row whose `field` is at least `value` (rows sorted by that field). */
export function firstAtOrAfter(
  rows: ReadonlyArray<readonly unknown[]>,
  value: number,
  field: number,
): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((rows[middle]![field] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
