const PLACEHOLDER = /%%([A-Za-z]{1,32})%%/g;

/**
 * A partner's URL template with its %%placeholders%% filled (Infomedia's postback style):
 * names matched case-insensitively, each value percent-encoded; a placeholder with no value
 * here stays as written, so a partner sees which one OpenDCB does not fill.
 */
export function fillUrlTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name.toLowerCase()];
    return value === undefined ? whole : encodeURIComponent(value);
  });
}

/** A number's network as the %%mcc%% and %%mnc%% placeholders carry it. */
export interface NetworkCodes {
  readonly mcc: string;
  readonly mnc: string;
}
