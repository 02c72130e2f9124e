/** GSM 03.38 basic character set: these cost one septet each. */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** GSM 03.38 extension table: an escape plus the character, two septets each. */
const GSM_EXTENDED = '^{}\\[~]|€\f';

const SINGLE = { gsm: 160, ucs2: 70 } as const;
const PER_PART = { gsm: 153, ucs2: 67 } as const;

/** How many SMS parts the text takes: GSM-7 when every character fits, UCS-2 otherwise. */
export function smsParts(text: string): number {
  let septets = 0;
  for (const char of text) {
    if (GSM_BASIC.includes(char)) septets += 1;
    else if (GSM_EXTENDED.includes(char)) septets += 2;
    else return partsFor([...text].reduce((units, c) => units + c.length, 0), 'ucs2');
  }
  return partsFor(septets, 'gsm');
}

function partsFor(units: number, encoding: 'gsm' | 'ucs2'): number {
  if (units <= SINGLE[encoding]) return 1;
  return Math.ceil(units / PER_PART[encoding]);
}
