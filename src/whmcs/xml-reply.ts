/**
 * Reads WHMCS's XML reply (`responsetype=xml`) into the same shape as its JSON reply. The client
 * only asks for XML when WHMCS's JSON encoder fails on stored text that is not valid UTF-8, so this
 * handles the plain element tree WHMCS writes: no attributes we need, no namespaces, no mixed content.
 * Repeated sibling elements become arrays; leaf elements become strings.
 */
import { WhmcsMcpError } from '../errors.js';

type XmlValue = string | XmlValue[] | { [key: string]: XmlValue };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_match, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? '';
  });
}

interface Element {
  name: string;
  children: Element[];
  text: string;
}

function malformed(detail: string): WhmcsMcpError {
  return new WhmcsMcpError('upstream_error', 'WHMCS sent an XML reply that could not be read.', {
    internal: detail,
  });
}

function parseTree(xml: string): Element {
  const root: Element = { name: '#document', children: [], text: '' };
  const stack: Element[] = [root];
  const tag =
    /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[^>]*?)?)(\/?)>|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g;
  let last = 0;
  for (let match = tag.exec(xml); match !== null; match = tag.exec(xml)) {
    const current = stack[stack.length - 1]!;
    current.text += decodeEntities(xml.slice(last, match.index));
    last = tag.lastIndex;
    const [whole, closing, name, , selfClosing, cdata] = match;
    if (cdata !== undefined) {
      current.text += cdata;
      continue;
    }
    if (name === undefined || whole.startsWith('<?') || whole.startsWith('<!--')) continue;
    if (closing) {
      if (current.name !== name) throw malformed(`closing </${name}> does not match <${current.name}>`);
      stack.pop();
      continue;
    }
    const element: Element = { name, children: [], text: '' };
    current.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw malformed(`unclosed element <${stack[stack.length - 1]!.name}>`);
  return root;
}

function toValue(element: Element): XmlValue {
  if (element.children.length === 0) return element.text.trim() === '' ? element.text.trim() : element.text;
  const result: { [key: string]: XmlValue } = {};
  for (const child of element.children) {
    const value = toValue(child);
    const existing = result[child.name];
    // toValue never returns an array for one element, so an array here means repeated siblings.
    if (existing === undefined) result[child.name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else result[child.name] = [existing, value];
  }
  return result;
}

/** Parses `<whmcsapi>...</whmcsapi>` into a plain object like the JSON reply. */
export function parseXmlReply(xml: string): Record<string, unknown> {
  const document = parseTree(xml);
  const root = document.children.find((child) => child.name === 'whmcsapi') ?? document.children[0];
  if (root === undefined) throw malformed('no root element');
  const value = toValue(root);
  if (typeof value === 'string' || Array.isArray(value)) throw malformed('root element has no fields');
  return value;
}
