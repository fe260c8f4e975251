/**
 * The one way customer-facing HTML is written: a tagged template that escapes every interpolated value, unless it is
 * itself `Html` (built by this template, or `raw()` for a trusted fragment such as a style sheet). Arrays are
 * rendered item by item; `false`, `null` and `undefined` render nothing, so `cond && html\`…\`` works. Pure.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML element or a double- or single-quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** A fragment of HTML that is safe to insert as it is. */
export class Html {
  readonly #value: string;
  private constructor(value: string) {
    this.#value = value;
  }
  /** Only for this module: wraps markup already escaped or trusted. */
  static trusted(value: string): Html {
    return new Html(value);
  }
  toString(): string {
    return this.#value;
  }
}

export type HtmlValue = Html | string | number | false | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === false || value === null || value === undefined) return '';
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\``: every value is escaped unless it is `Html`. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] as string;
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] as string);
  });
  return Html.trusted(out);
}

/** A trusted fragment (markup or CSS written in our code, never customer data): inserted unescaped. */
export function raw(trusted: string): Html {
  return Html.trusted(trusted);
}

/** Text with line breaks: each line escaped, `\n` as `<br>`. */
export function lines(text: string): Html {
  return Html.trusted(text.split('\n').map(escapeHtml).join('<br>'));
}

/** Joins fragments with a separator (escaped unless `Html`). */
export function join(values: readonly HtmlValue[], separator: HtmlValue = ''): Html {
  const sep = render(separator);
  return Html.trusted(values.map(render).join(sep));
}
